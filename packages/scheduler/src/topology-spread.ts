/**
 * topologySpreadConstraints: matching pods are counted per domain over the
 * nodes the pod could use (its nodeSelector/affinity, and the key present);
 * placing the pod in a domain must keep count - min <= maxSkew
 * (DoNotSchedule), and fuller domains score lower (both kinds).
 */
import { matchesSelector, type Pod, type TopologySpreadConstraint } from '@shoal/api';
import { matchesNodeRequirements } from './node-affinity.js';
import type { ClusterState, NodeState } from './node-state.js';

interface CountedConstraint {
  constraint: TopologySpreadConstraint;
  counts: Map<string, number>;
  min: number;
  /** The pending pod itself matches the selector and so adds one where it lands. */
  selfMatch: number;
}

export interface SpreadContext {
  constraints: CountedConstraint[];
}

export function buildSpreadContext(state: ClusterState, pod: Pod): SpreadContext | undefined {
  const list = pod.spec?.topologySpreadConstraints;
  if (!list?.length) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const constraints = list.map((constraint): CountedConstraint => {
    const counts = new Map<string, number>();
    const eligible = new Set<NodeState>();
    for (const node of state.nodes) {
      const value = node.labels[constraint.topologyKey];
      if (value === undefined || !matchesNodeRequirements(pod, node.labels, node.name)) continue;
      eligible.add(node);
      if (!counts.has(value)) counts.set(value, 0);
    }
    const unrestricted = !pod.spec?.nodeSelector && !pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (constraint.labelSelector && unrestricted) {
      // Every node is eligible: the maintained per-domain counts are exactly what is needed.
      for (const [value, n] of state.domainCounts([ns], constraint.labelSelector, constraint.topologyKey)) if (counts.has(value)) counts.set(value, n);
    } else if (constraint.labelSelector) {
      for (const { node } of state.podsMatching([ns], constraint.labelSelector)) {
        if (!eligible.has(node)) continue;
        const value = node.labels[constraint.topologyKey] as string;
        counts.set(value, (counts.get(value) ?? 0) + 1);
      }
    }
    const min = counts.size ? Math.min(...counts.values()) : 0;
    const selfMatch = constraint.labelSelector && matchesSelector(constraint.labelSelector, pod.metadata.labels) ? 1 : 0;
    return { constraint, counts, min, selfMatch };
  });
  return { constraints };
}

/** The first DoNotSchedule constraint violated on `node`, if any. */
export function violatesSpread(ctx: SpreadContext, node: NodeState): boolean {
  for (const c of ctx.constraints) {
    if (c.constraint.whenUnsatisfiable !== 'DoNotSchedule') continue;
    const value = node.labels[c.constraint.topologyKey];
    if (value === undefined) return true;
    const count = c.counts.get(value) ?? 0;
    if (count + c.selfMatch - c.min > c.constraint.maxSkew) return true;
  }
  return false;
}

/** Matching pods already in the node's domains (lower is better). */
export function spreadCount(ctx: SpreadContext, node: NodeState): number {
  let n = 0;
  for (const c of ctx.constraints) {
    const value = node.labels[c.constraint.topologyKey];
    if (value !== undefined) n += c.counts.get(value) ?? 0;
  }
  return n;
}
