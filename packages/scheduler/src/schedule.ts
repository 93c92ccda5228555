/**
 * Placement of a batch of pending pods, one at a time against an in-memory
 * copy of the cluster that is updated after each placement (so a batch never
 * overcommits a node). Pure and deterministic: the same inputs give the same
 * bindings; ties go to the node with the lowest hash of (pod, node), then name.
 */
import type { Pod } from '@shoal/api';
import { failureMessage } from './failure-message.js';
import { filterNode } from './filters.js';
import { fnv1a } from './hash.js';
import { ClusterState, type NodeState } from './node-state.js';
import { buildPodContext } from './pod-context.js';
import { scoreNodes, type ScoreBuffers } from './scores.js';
import { DEFAULT_SCHEDULER_CONFIG, type Binding, type ClusterView, type ScheduleResult, type SchedulerConfig } from './types.js';

/** How many feasible nodes to find before scoring (Kubernetes' adaptive percentage). */
export function feasibleNodesToFind(config: SchedulerConfig, total: number): number {
  if (total <= config.minFeasibleNodesToFind || config.percentageOfNodesToScore >= 100) return total;
  let pct = config.percentageOfNodesToScore;
  if (pct <= 0) pct = Math.max(5, 50 - Math.floor(total / 125));
  return Math.max(config.minFeasibleNodesToFind, Math.floor((total * pct) / 100));
}

function podKey(pod: Pod): string {
  return pod.metadata.uid ?? `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

/** Higher priority first, then older first, then by name: a stable, deterministic order. */
function byPriority(a: Pod, b: Pod): number {
  const pa = a.spec?.priority ?? 0;
  const pb = b.spec?.priority ?? 0;
  if (pa !== pb) return pb - pa;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class Scheduler {
  private readonly state: ClusterState;
  private readonly config: SchedulerConfig;
  /** Where the next search starts, so sampled searches rotate over all nodes. */
  private nextStart = 0;
  private readonly buffers: ScoreBuffers;

  constructor(view: ClusterView, config: Partial<SchedulerConfig> = {}) {
    this.config = { ...DEFAULT_SCHEDULER_CONFIG, ...config };
    this.state = new ClusterState(view);
    this.buffers = { total: new Float64Array(this.state.nodes.length), raw: new Float64Array(this.state.nodes.length) };
  }

  /** Place one pod and count it against its node; returns the node or the failure message. */
  place(pod: Pod): { nodeName: string } | { message: string } {
    const nodes = this.state.nodes;
    const total = nodes.length;
    const claimProblem = this.state.claimProblem(pod);
    if (claimProblem) return { message: `0/${total} nodes are available: ${claimProblem}.` };
    const pc = buildPodContext(this.state, pod);
    const want = feasibleNodesToFind(this.config, total);
    const feasible: NodeState[] = [];
    const reasons = new Map<string, number>();
    let examined = 0;
    for (; examined < total && feasible.length < want; examined++) {
      const node = nodes[(this.nextStart + examined) % total] as NodeState;
      const why = filterNode(pc, node);
      if (why.length === 0) feasible.push(node);
      else for (const r of why) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    if (total > 0) this.nextStart = (this.nextStart + examined) % total;
    if (feasible.length === 0) return { message: failureMessage(total, reasons) };

    const scores = scoreNodes(this.config.scoring, pc, feasible, this.buffers);
    const key = podKey(pod);
    let best = 0;
    let bestTie = fnv1a(`${key}/${(feasible[0] as NodeState).name}`);
    for (let i = 1; i < feasible.length; i++) {
      const s = scores[i] as number;
      const b = scores[best] as number;
      if (s < b) continue;
      const tie = fnv1a(`${key}/${(feasible[i] as NodeState).name}`);
      if (s > b || tie < bestTie || (tie === bestTie && (feasible[i] as NodeState).name < (feasible[best] as NodeState).name)) {
        best = i;
        bestTie = tie;
      }
    }
    const node = feasible[best] as NodeState;
    this.state.assume(pod, node, pc.requests);
    return { nodeName: node.name };
  }

  /**
   * Reasons `pod` cannot go on `nodeName` now ([] when it can). With
   * `assume`, a passing pod is counted against the node.
   */
  check(pod: Pod, nodeName: string, assume = false): string[] {
    const node = this.state.byName.get(nodeName);
    if (!node) return [`node ${nodeName} not found`];
    const pc = buildPodContext(this.state, pod);
    const why = filterNode(pc, node);
    if (why.length === 0 && assume) this.state.assume(pod, node, pc.requests);
    return [...why];
  }
}

/** Place `pending` pods (unbound ones; bound ones are skipped) in priority order. */
export function schedule(view: ClusterView, pending: readonly Pod[], config: Partial<SchedulerConfig> = {}): ScheduleResult {
  const scheduler = new Scheduler(view, config);
  const result: ScheduleResult = { bindings: [], failures: [] };
  for (const pod of [...pending].filter((p) => !p.spec?.nodeName).sort(byPriority)) {
    const id = { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
    const r = scheduler.place(pod);
    if ('nodeName' in r) result.bindings.push({ ...id, nodeName: r.nodeName });
    else result.failures.push({ ...id, message: r.message });
  }
  return result;
}

export type BindingCheck = { ok: true } | { ok: false; reasons: string[] };

/**
 * The leader's re-check at commit time (Nomad's plan applier): is `nodeName`
 * still feasible for `pod` against the latest state? For a batch, use one
 * `Scheduler` and `check(pod, node, true)` so earlier bindings count.
 */
export function checkBinding(view: ClusterView, pod: Pod, nodeName: string): BindingCheck {
  if (pod.spec?.nodeName) return { ok: false, reasons: [`pod is already bound to node ${pod.spec.nodeName}`] };
  const uid = pod.metadata.uid;
  // The pod itself must not count against any node.
  const others = uid ? { nodes: view.nodes, pods: view.pods.filter((p) => p.metadata.uid !== uid) } : view;
  const reasons = new Scheduler(others).check(pod, nodeName);
  return reasons.length ? { ok: false, reasons } : { ok: true };
}

/**
 * The commit-time re-check of a whole batch in one pass: each binding is
 * checked against the latest state plus the bindings accepted before it, so
 * an accepted batch never overcommits. Use this rather than one
 * `checkBinding` per pod (each of which rebuilds the cluster state).
 */
export function checkBindings(view: ClusterView, bindings: readonly Binding[], podsByUid: ReadonlyMap<string, Pod>): { accepted: Binding[]; refused: { binding: Binding; reasons: string[] }[] } {
  const batch = new Set(bindings.map((b) => b.uid));
  // Pods of this batch must not count against a node before their own check.
  const others = { nodes: view.nodes, pods: view.pods.filter((p) => !batch.has(p.metadata.uid ?? '')) };
  const checker = new Scheduler(others);
  const out: { accepted: Binding[]; refused: { binding: Binding; reasons: string[] }[] } = { accepted: [], refused: [] };
  for (const b of bindings) {
    const pod = podsByUid.get(b.uid);
    const reasons = !pod ? ['pod not found'] : pod.spec?.nodeName ? [`pod is already bound to node ${pod.spec.nodeName}`] : checker.check(pod, b.nodeName, true);
    if (reasons.length === 0) out.accepted.push(b);
    else out.refused.push({ binding: b, reasons });
  }
  return out;
}
