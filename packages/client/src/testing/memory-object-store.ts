/**
 * The object store of MemoryShoalServer (a test double, not the product):
 * objects in a Map, one global revision, a history of changes for watches,
 * and compaction on demand. It checks only what client and CLI tests need
 * (known kind, apiVersion, name syntax, resourceVersion preconditions); the
 * real rules live in @shoal/state and @shoal/api.
 */
import { KINDS, dns1123Subdomain, type KubeObject, type OwnerReference } from '@shoal/api';
import { status as Status } from '@grpc/grpc-js';
import { shoalStatusError } from '../status.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface Change { type: ChangeType; object: KubeObject; prev?: KubeObject; revision: number }
export type ChangeListener = (change: Change) => void;

export interface DeleteRecord { kind: string; namespace: string; name: string; propagationPolicy: string; gracePeriodSeconds?: number }

function clone<T>(v: T): T {
  return structuredClone(v);
}

function invalid(field: string, reason: string): Error {
  return shoalStatusError(Status.INVALID_ARGUMENT, `${field}: ${reason}`, { field, reason: 'Invalid' });
}

/** Everything but system metadata and status: what apply compares. */
function content(obj: KubeObject): string {
  const { status: _s, metadata, ...rest } = obj;
  const { resourceVersion: _rv, uid: _u, generation: _g, creationTimestamp: _c, ...meta } = metadata;
  return JSON.stringify({ ...rest, metadata: meta });
}

export class MemoryObjectStore {
  revision = 0;
  /** Changes at or below this revision are gone from history. */
  compactedThrough = 0;
  readonly deletes: DeleteRecord[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: Change[] = [];
  private readonly listeners = new Set<ChangeListener>();
  private uids = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  static key(kind: string, namespace: string, name: string): string {
    return `${kind}/${namespace}/${name}`;
  }

  /** Check kind and name, and fill in the namespace default. */
  normalize(input: unknown): KubeObject {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('object', 'must be a JSON object');
    const obj = clone(input) as KubeObject;
    const info = KINDS[obj.kind as keyof typeof KINDS];
    if (!obj.kind) throw invalid('kind', 'required');
    if (!info) throw invalid('kind', `unknown kind ${JSON.stringify(obj.kind)}`);
    if (obj.apiVersion !== info.apiVersion) throw invalid('apiVersion', `must be ${JSON.stringify(info.apiVersion)} for kind ${obj.kind}`);
    if (!obj.metadata || typeof obj.metadata !== 'object') throw invalid('metadata', 'required');
    if (!obj.metadata.name) throw invalid('metadata.name', 'required');
    const nameErrors = dns1123Subdomain(obj.metadata.name);
    if (nameErrors.length > 0) throw invalid('metadata.name', nameErrors.join('; '));
    if (info.namespaced) obj.metadata.namespace ||= 'default';
    else delete obj.metadata.namespace;
    return obj;
  }

  keyOf(obj: KubeObject): string {
    return MemoryObjectStore.key(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name);
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    const info = KINDS[kind as keyof typeof KINDS];
    const ns = info?.namespaced ? namespace || 'default' : '';
    const obj = this.objects.get(MemoryObjectStore.key(kind, ns, name));
    return obj && clone(obj);
  }

  mustGet(kind: string, namespace: string, name: string): KubeObject {
    const obj = this.get(kind, namespace, name);
    if (!obj) throw shoalStatusError(Status.NOT_FOUND, `${kind} ${JSON.stringify(name)} not found${namespace ? ` in namespace ${JSON.stringify(namespace)}` : ''}`, { reason: 'NotFound' });
    return obj;
  }

  list(kind: string, namespace: string): KubeObject[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && (!namespace || o.metadata.namespace === namespace))
      .sort((a, b) => this.keyOf(a).localeCompare(this.keyOf(b)))
      .map(clone);
  }

  create(input: unknown): KubeObject {
    const obj = this.normalize(input);
    const key = this.keyOf(obj);
    if (this.objects.has(key)) throw shoalStatusError(Status.ALREADY_EXISTS, `${obj.kind} ${JSON.stringify(obj.metadata.name)} already exists`, { reason: 'AlreadyExists' });
    const rev = ++this.revision;
    obj.metadata.uid = `uid-${++this.uids}`;
    obj.metadata.creationTimestamp = this.now().toISOString();
    obj.metadata.generation = 1;
    obj.metadata.resourceVersion = String(rev);
    this.commit({ type: 'ADDED', object: obj, revision: rev });
    return clone(obj);
  }

  /** Replace metadata and content (statusOnly: the status). */
  update(input: unknown, statusOnly = false): KubeObject {
    const obj = this.normalize(input);
    const old = this.mustGet(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name);
    this.checkVersion(old, obj.metadata.resourceVersion);
    const next: KubeObject = statusOnly
      ? { ...old, status: obj.status }
      : { ...obj, status: old.status, metadata: { ...obj.metadata, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp, generation: old.metadata.generation } };
    if (!statusOnly && JSON.stringify(obj.spec) !== JSON.stringify(old.spec)) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    if (old.metadata.deletionTimestamp) next.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
    const rev = ++this.revision;
    next.metadata.resourceVersion = String(rev);
    this.commit({ type: 'MODIFIED', object: next, prev: old, revision: rev });
    // An object held only by finalizers goes once they are removed.
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) this.remove(next);
    return this.get(next.kind, next.metadata.namespace ?? '', next.metadata.name) ?? clone(next);
  }

  apply(input: unknown): { object: KubeObject; result: 'created' | 'configured' | 'unchanged' } {
    const obj = this.normalize(input);
    const old = this.get(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name);
    if (!old) return { object: this.create(obj), result: 'created' };
    if (content(obj) === content(old)) {
      this.checkVersion(old, obj.metadata.resourceVersion);
      return { object: old, result: 'unchanged' };
    }
    return { object: this.update(obj), result: 'configured' };
  }

  delete(kind: string, namespace: string, name: string, opts: { propagationPolicy?: string; gracePeriodSeconds?: number; uid?: string; resourceVersion?: string } = {}): { object: KubeObject; pending: boolean } {
    const old = this.mustGet(kind, namespace, name);
    if (opts.uid && opts.uid !== old.metadata.uid) throw shoalStatusError(Status.FAILED_PRECONDITION, `uid precondition failed: ${kind} ${name} has uid ${old.metadata.uid}`, { reason: 'Conflict' });
    this.checkVersion(old, opts.resourceVersion);
    const policy = opts.propagationPolicy || 'Background';
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) throw invalid('propagation_policy', `must be Background, Foreground or Orphan, not ${JSON.stringify(policy)}`);
    this.deletes.push({ kind, namespace: old.metadata.namespace ?? '', name, propagationPolicy: policy, ...(opts.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: opts.gracePeriodSeconds }) });
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (old.metadata.deletionTimestamp) return { object: old, pending: true };
      const held = clone(old);
      held.metadata.deletionTimestamp = this.now().toISOString();
      const rev = ++this.revision;
      held.metadata.resourceVersion = String(rev);
      this.commit({ type: 'MODIFIED', object: held, prev: old, revision: rev });
      return { object: clone(held), pending: true };
    }
    this.remove(old);
    this.cascade(old, policy);
    return { object: old, pending: false };
  }

  /** Owned objects: deleted (Background, Foreground: the double does both at once) or released (Orphan). */
  private cascade(owner: KubeObject, policy: string): void {
    const owns = (o: KubeObject): boolean => (o.metadata.ownerReferences ?? []).some((r: OwnerReference) => r.uid === owner.metadata.uid);
    for (const child of [...this.objects.values()].filter(owns)) {
      if (policy === 'Orphan') {
        const released = clone(child);
        released.metadata.ownerReferences = (child.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
        this.update(released);
      } else {
        this.delete(child.kind, child.metadata.namespace ?? '', child.metadata.name, { propagationPolicy: policy });
      }
    }
  }

  private remove(obj: KubeObject): void {
    this.objects.delete(this.keyOf(obj));
    const rev = ++this.revision;
    const last = clone(obj);
    last.metadata.resourceVersion = String(rev);
    this.history.push({ type: 'DELETED', object: last, revision: rev });
    for (const l of this.listeners) l({ type: 'DELETED', object: last, revision: rev });
  }

  private checkVersion(current: KubeObject, wanted: string | undefined): void {
    if (wanted && wanted !== current.metadata.resourceVersion) {
      throw shoalStatusError(Status.FAILED_PRECONDITION, `${current.kind} ${JSON.stringify(current.metadata.name)} was modified (resourceVersion ${current.metadata.resourceVersion}, not ${wanted}): re-read and retry`, { reason: 'Conflict' });
    }
  }

  private commit(change: Change): void {
    this.objects.set(this.keyOf(change.object), clone(change.object));
    this.history.push(change);
    for (const l of this.listeners) l(change);
  }

  /** Changes after `revision`, or undefined when some were compacted away. */
  changesSince(revision: number): Change[] | undefined {
    if (revision < this.compactedThrough) return undefined;
    return this.history.filter((c) => c.revision > revision);
  }

  /** Forget history at or below `revision` (watches from before it get OUT_OF_RANGE). */
  compact(revision = this.revision): void {
    this.compactedThrough = Math.max(this.compactedThrough, revision);
    while (this.history.length > 0 && this.history[0]!.revision <= this.compactedThrough) this.history.shift();
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
