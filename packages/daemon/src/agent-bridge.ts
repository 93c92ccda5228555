/**
 * The agent's view of the cluster (this node's replica of the store, with
 * change notifications) and its way to report (status commands through the
 * write path, several pods per log entry).
 */
import type { Node, NodeStatus, ObjectKey, Pod } from '@shoal/api';
import type { AgentSink, AgentSource, PodStatusUpdate } from '@shoal/agent';
import type { Logger } from '@shoal/log';
import type { ObjectStore, SingleCommand } from '@shoal/state';
import type { ClusterWriter } from './cluster-writer.js';
import { PodReferenceIndex } from './pod-reference-index.js';
import { subscribeChanges } from './store-changes.js';

export function agentSource(store: ObjectStore, nodeName: string): AgentSource {
  return {
    get: (key) => store.get(key),
    list: (kind, opts) => store.list(kind, opts),
    get revision() {
      return store.revision;
    },
    onChange(cb) {
      // Pods of other nodes, and objects no pod of this node names, do not concern this agent.
      const index = () => new PodReferenceIndex(nodeName, store.list<Pod>('Pod'));
      let refs = index();
      return subscribeChanges(store, (kind, key, obj) => {
        if (kind === 'Pod' ? refs.pod(key, obj as Pod | undefined) : refs.references(key)) cb();
      }, ['Pod', 'ConfigMap', 'Secret', 'PersistentVolumeClaim'], () => {
        // The store was replaced by a snapshot: index the new one and look at everything.
        refs = index();
        cb();
      });
    },
  };
}

/** Status without the timestamps that change on every report, to tell real changes. */
function comparable(s: NodeStatus | undefined): string {
  return JSON.stringify(s ?? {}, (k, v: unknown) => (k === 'lastHeartbeatTime' || k === 'lastProbeTime' ? undefined : v));
}

export class StoreAgentSink implements AgentSink {
  constructor(
    private readonly store: ObjectStore,
    private readonly writer: ClusterWriter,
    private readonly nodeName: string,
    private readonly nodeLabels: Record<string, string>,
    private readonly log: Logger,
  ) {}

  async updatePodStatus(batch: PodStatusUpdate[]): Promise<void> {
    const cmds: SingleCommand[] = batch.map((u) => ({
      type: 'updateStatus',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: u.name, namespace: u.namespace, uid: u.uid }, status: u.status },
    }));
    if (cmds.length === 0) return;
    const r = await this.writer.propose(cmds.length === 1 ? cmds[0]! : { type: 'batch', commands: cmds });
    const results = cmds.length === 1 ? [r] : r.ok ? (r.results ?? []) : [r];
    for (const x of results) {
      // A pod deleted or replaced meanwhile: nothing to report any more.
      if (!x.ok && x.error.code !== 'NotFound' && x.error.code !== 'Precondition') this.log.warn('pod status refused', { err: x.error.message });
    }
  }

  async deletePod(namespace: string, name: string, uid: string): Promise<void> {
    const key: ObjectKey = { kind: 'Pod', namespace, name };
    const r = await this.writer.propose({ ...this.writer.commandFor({ op: 'delete', key, uid, gracePeriodSeconds: 0 }) });
    if (!r.ok && r.error.code !== 'NotFound' && r.error.code !== 'Precondition') throw r.error;
  }

  async updateNodeStatus(status: NodeStatus): Promise<void> {
    const key: ObjectKey = { kind: 'Node', namespace: '', name: this.nodeName };
    let node = this.store.get<Node>(key);
    if (!node) {
      const r = await this.writer.propose(
        this.writer.commandFor({
          op: 'create',
          object: { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, labels: { 'kubernetes.io/hostname': this.nodeName, ...this.nodeLabels } }, spec: {} },
        }),
      );
      if (!r.ok && r.error.code !== 'AlreadyExists') throw r.error;
      node = this.store.get<Node>(key);
      if (!node) return;
    }
    // Liveness travels by gossip; only real changes of status go to the log.
    if (comparable(node.status) === comparable(status)) return;
    const r = await this.writer.propose({ type: 'updateStatus', object: { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName }, status } });
    if (!r.ok) throw r.error;
  }
}
