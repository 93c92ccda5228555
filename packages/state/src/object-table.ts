/**
 * The stored objects and their indexes: by kind and namespace (list), by uid,
 * by owner uid (garbage collection) and pods by node name (the agent's view).
 * Objects in the table are frozen; replacing one re-indexes it.
 */
import type { KubeObject, ObjectKey } from '@shoal/api';

/** Stored objects are deeply frozen, so readers and watchers can share them. */
export type StoredObject = Readonly<KubeObject>;

const nodeNameOf = (o: StoredObject): string | undefined =>
  o.kind === 'Pod' ? ((o.spec as { nodeName?: string } | undefined)?.nodeName || undefined) : undefined;

export function fullKey(k: ObjectKey): string {
  return `${k.kind}/${k.namespace}/${k.name}`;
}

export function keyOf(o: StoredObject): ObjectKey {
  return { kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name };
}

/** index value -> (full key -> object key) */
type KeyIndex = Map<string, Map<string, ObjectKey>>;

function addTo(m: KeyIndex, k: string, fk: string, key: ObjectKey): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Map()));
  s.set(fk, key);
}

function removeFrom(m: KeyIndex, k: string, fk: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(fk);
  if (s.size === 0) m.delete(k);
}

export class ObjectTable {
  /** kind -> namespace -> name -> object */
  private readonly byKind = new Map<string, Map<string, Map<string, StoredObject>>>();
  private readonly byUid = new Map<string, StoredObject>();
  /** owner uid -> full keys of dependents */
  private readonly byOwner: KeyIndex = new Map();
  /** node name -> full keys of pods bound to it */
  private readonly byNode: KeyIndex = new Map();
  /** namespace -> number of namespaced objects in it */
  private readonly nsCount = new Map<string, number>();
  private total = 0;
  /**
   * kind -> its keys as `namespace \0 name`, sorted (string order on these
   * is namespace order, then name order). Built when a list needs it and
   * dropped when a key of the kind comes or goes, so repeated lists and
   * list pages do not sort the kind again each time.
   */
  private readonly order = new Map<string, string[]>();

  get size(): number {
    return this.total;
  }

  get(k: ObjectKey): StoredObject | undefined {
    return this.byKind.get(k.kind)?.get(k.namespace)?.get(k.name);
  }

  getByUid(uid: string): StoredObject | undefined {
    return this.byUid.get(uid);
  }

  /** Inserts or replaces the object at its key. */
  put(o: StoredObject): void {
    const k = keyOf(o);
    const prev = this.get(k);
    if (prev) this.unindex(prev, k);
    else {
      this.total++;
      if (k.namespace) this.nsCount.set(k.namespace, (this.nsCount.get(k.namespace) ?? 0) + 1);
    }
    let nss = this.byKind.get(k.kind);
    if (!nss) this.byKind.set(k.kind, (nss = new Map()));
    let names = nss.get(k.namespace);
    if (!names) nss.set(k.namespace, (names = new Map()));
    names.set(k.name, o);
    if (!prev) this.order.delete(k.kind);
    this.index(o, k);
  }

  remove(k: ObjectKey): StoredObject | undefined {
    const nss = this.byKind.get(k.kind);
    const names = nss?.get(k.namespace);
    const prev = names?.get(k.name);
    if (!prev || !names || !nss) return undefined;
    names.delete(k.name);
    this.order.delete(k.kind);
    if (names.size === 0) nss.delete(k.namespace);
    if (nss.size === 0) this.byKind.delete(k.kind);
    this.unindex(prev, k);
    this.total--;
    if (k.namespace) {
      const n = (this.nsCount.get(k.namespace) ?? 1) - 1;
      if (n === 0) this.nsCount.delete(k.namespace);
      else this.nsCount.set(k.namespace, n);
    }
    return prev;
  }

  private index(o: StoredObject, k: ObjectKey): void {
    const fk = fullKey(k);
    if (o.metadata.uid) this.byUid.set(o.metadata.uid, o);
    for (const ref of o.metadata.ownerReferences ?? []) addTo(this.byOwner, ref.uid, fk, k);
    const node = nodeNameOf(o);
    if (node) addTo(this.byNode, node, fk, k);
  }

  private unindex(o: StoredObject, k: ObjectKey): void {
    const fk = fullKey(k);
    if (o.metadata.uid && this.byUid.get(o.metadata.uid) === o) this.byUid.delete(o.metadata.uid);
    for (const ref of o.metadata.ownerReferences ?? []) removeFrom(this.byOwner, ref.uid, fk);
    const node = nodeNameOf(o);
    if (node) removeFrom(this.byNode, node, fk);
  }

  /** Objects of `kind` (in `namespace` when given), sorted by namespace then name. */
  list(kind: string, namespace?: string): StoredObject[] {
    const r = this.range(kind, namespace);
    const out: StoredObject[] = [];
    for (let i = r.start; i < r.end; i++) out.push(this.at(kind, r.keys[i]!));
    return out;
  }

  /**
   * The sorted keys of `kind` (`namespace \0 name`) and the part of them a
   * list reads: those in `namespace` when given, and after the key `after`
   * (namespace and name) when given. For paging without sorting each page.
   */
  range(kind: string, namespace?: string, after?: { namespace: string; name: string }): { keys: readonly string[]; start: number; end: number } {
    const keys = this.sortedKeys(kind);
    let start = 0;
    let end = keys.length;
    if (namespace !== undefined) {
      start = lowerBound(keys, `${namespace}\u0000`);
      end = lowerBound(keys, `${namespace}\u0001`);
    }
    if (after) start = Math.max(start, upperBound(keys, `${after.namespace}\u0000${after.name}`));
    return { keys, start, end: Math.max(start, end) };
  }

  /** The object of a key from `range`. */
  at(kind: string, key: string): StoredObject {
    const sep = key.indexOf('\u0000');
    return this.byKind.get(kind)!.get(key.slice(0, sep))!.get(key.slice(sep + 1))!;
  }

  private sortedKeys(kind: string): string[] {
    let keys = this.order.get(kind);
    if (!keys) {
      keys = [];
      for (const [ns, names] of this.byKind.get(kind) ?? []) for (const name of names.keys()) keys.push(`${ns}\u0000${name}`);
      keys.sort();
      this.order.set(kind, keys);
    }
    return keys;
  }

  /** How many objects of `kind` are stored. */
  count(kind: string): number {
    let n = 0;
    for (const names of this.byKind.get(kind)?.values() ?? []) n += names.size;
    return n;
  }

  kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  /** Every object in a namespace, of every kind. */
  inNamespace(namespace: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const kind of this.kinds()) appendAll(out, this.list(kind, namespace));
    return out;
  }

  namespaceCount(namespace: string): number {
    return this.nsCount.get(namespace) ?? 0;
  }

  /** Objects with an ownerReference to `ownerUid`, sorted by key. */
  dependents(ownerUid: string): StoredObject[] {
    return this.lookup(this.byOwner.get(ownerUid));
  }

  /** Pods whose spec.nodeName is `node`, sorted by key. */
  podsOnNode(node: string): StoredObject[] {
    return this.lookup(this.byNode.get(node));
  }

  private lookup(keys: Map<string, ObjectKey> | undefined): StoredObject[] {
    if (!keys) return [];
    const out: StoredObject[] = [];
    for (const fk of [...keys.keys()].sort()) {
      const o = this.get(keys.get(fk) as ObjectKey);
      if (o) out.push(o);
    }
    return out;
  }

  /**
   * Every object, in the table's own order (the snapshot order): kinds,
   * namespaces and names each in the order they were first inserted, which
   * is a function of the applied history alone, so replicas with the same
   * history agree. `restore` inserts a snapshot's objects in this order and
   * so rebuilds the same order. Not sorted: sorting 100,000 keys held the
   * event loop for 50-150 ms whenever a snapshot began, where this walk
   * takes a few.
   */
  all(): StoredObject[] {
    const out: StoredObject[] = [];
    for (const nss of this.byKind.values()) for (const names of nss.values()) for (const o of names.values()) out.push(o);
    return out;
  }
}

/**
 * out.push(...xs) passes every element as an argument: past about 120,000
 * elements V8 throws RangeError, which made a store of that many objects of
 * one kind unable to list or snapshot itself.
 */
function appendAll<T>(out: T[], xs: readonly T[]): void {
  for (const x of xs) out.push(x);
}

/** First position whose key is >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position whose key is > `key`. */
function upperBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
