/**
 * ObjectStore: the replicated state machine. `apply` takes committed
 * commands in log order and changes state deterministically (no clock,
 * randomness or I/O); reads, watches and snapshots serve the rest of the node.
 */
import type { FieldSelector, KubeObject, ListOptions, ObjectKey, ObjectReader, ServiceSpec } from '@shoal/api';
import { ClusterIPAllocator, RangeAllocator } from './allocators.js';
import { invalid, keyOfIncoming, normalizeKey } from './apply-common.js';
import { applyCreate } from './apply-create.js';
import { SYSTEM_NAMESPACES, applyDelete } from './apply-delete.js';
import { applyBind, applyPatchMetadata } from './apply-metadata.js';
import { applyUpdate, applyUpdateStatus } from './apply-update.js';
import type { Command, SingleCommand } from './commands.js';
import { parseIPv4, resolveConfig, type ObjectStoreConfig, type ResolvedConfig } from './config.js';
import { decodeContinue, encodeContinue, isAfter, positionOf } from './continue-token.js';
import { ContinueTokenError, StoreError } from './errors.js';
import { ObjectTable, type StoredObject } from './object-table.js';
import { deepFreeze } from './plain-data.js';
import type { ApplyResult } from './results.js';
import { SNAPSHOT_FORMAT, decodeSnapshot, encodeSnapshot, type SnapshotData } from './snapshot-codec.js';
import { WatchHub, matches, type WatchEvent, type WatchOptions } from './watch-hub.js';
import { Writer } from './writer.js';

export interface StoreListOptions extends ListOptions {
  fieldSelector?: FieldSelector;
}

export interface ListPageOptions extends StoreListOptions {
  /** At most this many items; 0 or absent for all. */
  limit?: number;
  /** The token from the previous page. */
  continue?: string;
}

export interface ListPage<T extends KubeObject = KubeObject> {
  items: T[];
  /** The store revision the page was read at: watch from here. */
  revision: number;
  /** Present when more items follow. */
  continue?: string;
  /** How many matching items follow this page. */
  remainingItemCount?: number;
}

export class ObjectStore implements ObjectReader {
  private readonly config: ResolvedConfig;
  private table = new ObjectTable();
  private readonly hub: WatchHub;
  private w: Writer;

  constructor(config: ObjectStoreConfig = {}) {
    this.config = resolveConfig(config);
    this.hub = new WatchHub(this.config.historyLimit, this.config.onWatcherError);
    this.w = this.newWriter(this.table);
    this.bootstrap();
  }

  private newWriter(table: ObjectTable): Writer {
    const { base, size } = this.config.cidr;
    const [lo, hi] = this.config.nodePortRange;
    return new Writer(table, this.hub, this.config, new ClusterIPAllocator(base, size), new RangeAllocator(lo, hi));
  }

  /** The namespaces every cluster has; fixed uids so every replica agrees. */
  private bootstrap(): void {
    for (const name of SYSTEM_NAMESPACES) {
      this.w.commit('ADDED', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, uid: `namespace-${name}`, creationTimestamp: this.config.bootstrapTimestamp, generation: 1 },
        status: { phase: 'Active' },
      });
    }
  }

  // ------------------------------------------------------------ apply

  /** Applies one committed command. Never throws for a bad command: failures are results. */
  apply(cmd: Command): ApplyResult {
    if (cmd && cmd.type === 'batch') {
      if (!Array.isArray(cmd.commands)) return this.fail(invalid(undefined, '(command).commands', 'must be a list'));
      const results = cmd.commands.map((c) =>
        c && (c as Command).type === 'batch' ? this.fail(invalid(undefined, '(command).commands', 'Forbidden: batches do not nest', 'Forbidden')) : this.applyOne(c),
      );
      return { ok: true, revision: this.w.revision, results };
    }
    return this.applyOne(cmd);
  }

  private applyOne(cmd: SingleCommand): ApplyResult {
    try {
      switch (cmd?.type) {
        case 'create':
          return this.ok(applyCreate(this.w, cmd));
        case 'apply': {
          const cur = this.w.get(keyOfIncoming(cmd.object));
          if (!cur) {
            const created = applyCreate(this.w, { type: 'create', object: cmd.object, uid: cmd.uid, timestamp: cmd.timestamp });
            return { ok: true, revision: this.w.revision, object: created, applied: 'created' };
          }
          const stored = applyUpdate(this.w, { type: 'update', object: cmd.object });
          return { ok: true, revision: this.w.revision, object: stored, applied: stored === cur ? 'unchanged' : 'configured' };
        }
        case 'update':
          return this.ok(applyUpdate(this.w, cmd));
        case 'updateStatus':
          return this.ok(applyUpdateStatus(this.w, cmd));
        case 'delete': {
          const { object, removed } = applyDelete(this.w, cmd);
          return { ok: true, revision: this.w.revision, object, removed };
        }
        case 'bind':
          return this.ok(applyBind(this.w, cmd));
        case 'patchMetadata':
          return this.ok(applyPatchMetadata(this.w, cmd));
        default:
          return this.fail(invalid(undefined, '(command).type', `Unsupported value: ${JSON.stringify((cmd as { type?: unknown } | undefined)?.type)}`, 'Unsupported'));
      }
    } catch (e) {
      if (e instanceof StoreError) return this.fail(e);
      // A malformed command from a faulty leader must not stop every replica:
      // it fails the same way everywhere, as Invalid.
      return this.fail(invalid(undefined, '(command)', `Invalid value: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private ok(object: StoredObject): ApplyResult {
    return { ok: true, revision: this.w.revision, object };
  }

  private fail(error: StoreError): ApplyResult {
    return { ok: false, revision: this.w.revision, error };
  }

  // ------------------------------------------------------------ reads

  /** The revision of the last change. */
  get revision(): number {
    return this.w.revision;
  }

  /** The oldest revision a watch can resume from. */
  get oldestRevision(): number {
    return this.hub.oldest;
  }

  get size(): number {
    return this.table.size;
  }

  /** Stored objects per kind (for metrics), kinds in name order. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const kind of this.table.kinds()) out[kind] = this.table.count(kind);
    return out;
  }

  get watcherCount(): number {
    return this.hub.watcherCount;
  }

  get<T extends KubeObject = KubeObject>(key: ObjectKey): T | undefined {
    return this.table.get(normalizeKey(key)) as T | undefined;
  }

  getByUid<T extends KubeObject = KubeObject>(uid: string): T | undefined {
    return this.table.getByUid(uid) as T | undefined;
  }

  /** Objects of `kind`, sorted by namespace and name, filtered by namespace, labels and fields. */
  list<T extends KubeObject = KubeObject>(kind: string, opts: StoreListOptions = {}): T[] {
    const node = podNodeFilter(kind, opts.fieldSelector);
    const candidates = node !== undefined ? this.table.podsOnNode(node) : this.table.list(kind, opts.namespace);
    const filter = { kind, namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
    return candidates.filter((o) => matches(filter, o)) as T[];
  }

  /**
   * A page of `list`; pass `continue` from the previous page to get the
   * next. Pages are read from the kind's sorted keys (kept between calls)
   * from the token's position on, so paging through N objects costs about N
   * in all, not N per page; only the objects a page returns are looked at,
   * unless selectors must be checked.
   */
  listPage<T extends KubeObject = KubeObject>(kind: string, opts: ListPageOptions = {}): ListPage<T> {
    const limit = opts.limit ?? 0;
    if (!Number.isInteger(limit) || limit < 0) throw new ContinueTokenError(`limit must be a non-negative integer, got ${limit}`);
    const after = opts.continue ? decodeContinue(opts.continue) : undefined;
    const revision = this.revision;
    if (podNodeFilter(kind, opts.fieldSelector) !== undefined) {
      // Pods of one node: a small index lookup, filtered and cut here.
      let items = this.list<T>(kind, opts);
      if (after) items = items.filter((o) => isAfter(o, after));
      if (limit === 0 || items.length <= limit) return { items, revision };
      const page = items.slice(0, limit);
      return { items: page, revision, continue: encodeContinue(positionOf(page[page.length - 1]!)), remainingItemCount: items.length - limit };
    }
    const { keys, start, end } = this.table.range(kind, opts.namespace, after);
    const selective = opts.labelSelector !== undefined || opts.fieldSelector !== undefined;
    const filter = { kind, namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
    const items: T[] = [];
    let i = start;
    for (; i < end && (limit === 0 || items.length < limit); i++) {
      const o = this.table.at(kind, keys[i]!);
      if (!selective || matches(filter, o)) items.push(o as T);
    }
    let remaining = end - i;
    if (selective) {
      remaining = 0;
      for (let j = i; j < end; j++) if (matches(filter, this.table.at(kind, keys[j]!))) remaining++;
    }
    if (remaining === 0) return { items, revision };
    return { items, revision, continue: encodeContinue(positionOf(items[items.length - 1]!)), remainingItemCount: remaining };
  }

  /** Pods bound to `nodeName` (index lookup). */
  podsOnNode<T extends KubeObject = KubeObject>(nodeName: string): T[] {
    return this.table.podsOnNode(nodeName) as T[];
  }

  /** Objects with an ownerReference to `ownerUid` (index lookup). */
  dependents<T extends KubeObject = KubeObject>(ownerUid: string): T[] {
    return this.table.dependents(ownerUid) as T[];
  }

  // ------------------------------------------------------------ watch

  /**
   * Delivers changes after `opts.fromRevision` (default: now) that match the
   * filters, in revision order, synchronously from apply. Retained history is
   * replayed before this returns. Throws CompactedError when fromRevision is
   * older than the retained history: list again, then watch from the list's
   * revision. Callbacks must not call apply. Returns the cancel function.
   */
  watch(opts: WatchOptions, onEvent: (e: WatchEvent) => void): () => void {
    return this.hub.watch(opts, onEvent, this.revision);
  }

  /** Sends every watcher a BOOKMARK at the current revision. */
  bookmark(): void {
    this.hub.bookmark(this.revision);
  }

  // ------------------------------------------------------------ snapshots

  snapshot(): Uint8Array {
    return encodeSnapshot(this.snapshotData());
  }

  /**
   * The state as of now, for `encodeSnapshotInSlices`: cheap to take (the
   * stored objects are frozen and only referenced), encoded later.
   */
  snapshotData(): SnapshotData {
    return {
      format: SNAPSHOT_FORMAT,
      revision: this.w.revision,
      clusterIPCursor: this.w.clusterIPs.range.cursor,
      nodePortCursor: this.w.nodePorts.cursor,
      objects: this.table.all(),
    };
  }

  /** Replaces the whole state; every watch ends with an ERROR event asking it to relist. */
  restore(data: Uint8Array): void {
    const s = decodeSnapshot(data);
    const table = new ObjectTable();
    const w = this.newWriter(table);
    for (const o of s.objects) {
      table.put(deepFreeze(o));
      if (o.kind === 'Service') claimService(w, o.spec as ServiceSpec | undefined);
    }
    w.revision = s.revision;
    w.clusterIPs.range.cursor = s.clusterIPCursor;
    w.nodePorts.cursor = s.nodePortCursor;
    this.table = table;
    this.w = w;
    this.hub.reset(s.revision, `the store was restored from a snapshot at revision ${s.revision}; list again`);
  }
}

function claimService(w: Writer, spec: ServiceSpec | undefined): void {
  if (spec?.clusterIP && spec.clusterIP !== 'None') {
    const n = parseIPv4(spec.clusterIP);
    if (n !== undefined) w.clusterIPs.range.claim(n);
  }
  for (const p of spec?.ports ?? []) if (p.nodePort) w.nodePorts.claim(p.nodePort);
}

/** `spec.nodeName=X` on pods is answered from the node index. */
function podNodeFilter(kind: string, sel: FieldSelector | undefined): string | undefined {
  if (kind !== 'Pod' || !sel) return undefined;
  const r = sel.find((x) => x.field === 'spec.nodeName' && x.operator === '=' && x.value !== '');
  return r?.value;
}
