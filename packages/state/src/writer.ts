/**
 * The one place state changes: every write takes the next revision, stamps
 * it as the object's resourceVersion, freezes the object, updates the table
 * and its indexes, releases what a removed object held, and publishes the
 * change to watchers.
 */
import type { KubeObject, ObjectKey, ServiceSpec } from '@shoal/api';
import type { ClusterIPAllocator, RangeAllocator } from './allocators.js';
import type { ResolvedConfig } from './config.js';
import { ObjectTable, keyOf, type StoredObject } from './object-table.js';
import { deepFreeze } from './plain-data.js';
import type { ChangeType, WatchHub } from './watch-hub.js';

export class Writer {
  revision = 0;

  constructor(
    readonly table: ObjectTable,
    readonly hub: WatchHub,
    readonly config: ResolvedConfig,
    readonly clusterIPs: ClusterIPAllocator,
    readonly nodePorts: RangeAllocator,
  ) {}

  /** Commits `next` (a fresh, unfrozen object) as an ADDED, MODIFIED or DELETED change. */
  commit(type: ChangeType, next: KubeObject, prev?: StoredObject): StoredObject {
    this.revision++;
    next.metadata.resourceVersion = String(this.revision);
    const stored = deepFreeze(next) as StoredObject;
    if (type === 'DELETED') {
      this.table.remove(keyOf(stored));
      if (stored.kind === 'Service') this.releaseService(stored.spec as ServiceSpec | undefined);
    } else {
      this.table.put(stored);
    }
    this.hub.publish(type === 'MODIFIED' ? { type, object: stored, prev, revision: this.revision } : { type, object: stored, revision: this.revision });
    if (type === 'DELETED' && stored.metadata.namespace) this.finishNamespaceIfEmpty(stored.metadata.namespace);
    return stored;
  }

  get(key: ObjectKey): StoredObject | undefined {
    return this.table.get(key);
  }

  releaseService(spec: ServiceSpec | undefined): void {
    if (spec?.clusterIP && spec.clusterIP !== 'None') this.clusterIPs.release(spec.clusterIP);
    for (const p of spec?.ports ?? []) if (p.nodePort) this.nodePorts.release(p.nodePort);
  }

  /** A terminating namespace goes once its last object is gone. */
  private finishNamespaceIfEmpty(namespace: string): void {
    const ns = this.table.get({ kind: 'Namespace', namespace: '', name: namespace });
    if (!ns?.metadata.deletionTimestamp || (ns.metadata.finalizers ?? []).length > 0) return;
    if (this.table.namespaceCount(namespace) > 0) return;
    this.commit('DELETED', { ...ns, metadata: { ...ns.metadata } });
  }
}
