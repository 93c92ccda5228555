/**
 * Node scores, each normalised to 0..100 over the feasible nodes and
 * weighted as Kubernetes weights its default plugins.
 */
import type { ScoringStrategy } from './types.js';
import { preferredNodeAffinityScore } from './node-affinity.js';
import type { NodeState } from './node-state.js';
import { preferredPodAffinityScore } from './pod-affinity.js';
import type { PodContext } from './pod-context.js';
import { DEFAULT_SCORING_CPU, DEFAULT_SCORING_MEMORY } from './resources.js';
import { countUntoleratedPreferNoSchedule } from './taints.js';
import { spreadCount } from './topology-spread.js';

const WEIGHT = { resources: 1, nodeAffinity: 2, taints: 3, podAffinity: 2, spread: 2, ownerSpread: 1 } as const;

// Hot path (runs for every feasible node of every pod): module-level helpers, no closures.
function usageScore(strategy: ScoringStrategy, req: number, alloc: number): number {
  if (alloc <= 0) return 0;
  const used = Math.min(req / alloc, 1);
  return strategy === 'MostAllocated' ? used * 100 : (1 - used) * 100;
}

function resourceScore(strategy: ScoringStrategy, pc: PodContext, node: NodeState): number {
  const cpuReq = node.scoringRequested.cpu + (pc.requests.cpu || DEFAULT_SCORING_CPU);
  const memReq = node.scoringRequested.memory + (pc.requests.memory || DEFAULT_SCORING_MEMORY);
  return (usageScore(strategy, cpuReq, node.allocatable.cpu) + usageScore(strategy, memReq, node.allocatable.memory)) / 2;
}

/** Add `weight` times `raw` scaled to 0..100 (higher raw is better unless `reverse`) to `total`. */
function addNormalised(total: number[], raw: number[], weight: number, reverse: boolean): void {
  let min = Infinity;
  let max = -Infinity;
  for (const v of raw) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (let i = 0; i < raw.length; i++) {
    let s = max === min ? (reverse || max > 0 ? 100 : 0) : (((raw[i] as number) - min) / (max - min)) * 100;
    if (reverse && max !== min) s = 100 - s;
    total[i] = (total[i] as number) + weight * s;
  }
}

/** Total weighted score of each node in `nodes` for the pod. */
export function scoreNodes(strategy: ScoringStrategy, pc: PodContext, nodes: readonly NodeState[]): number[] {
  const total = new Array<number>(nodes.length);
  for (let i = 0; i < nodes.length; i++) total[i] = WEIGHT.resources * resourceScore(strategy, pc, nodes[i] as NodeState);
  if (pc.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) {
    addNormalised(total, nodes.map((n) => preferredNodeAffinityScore(pc.pod, n.labels, n.name)), WEIGHT.nodeAffinity, false);
  }
  if (nodes.some((n) => n.taints.length > 0)) {
    addNormalised(total, nodes.map((n) => countUntoleratedPreferNoSchedule(n.taints, pc.pod.spec?.tolerations)), WEIGHT.taints, true);
  }
  if (pc.affinity && pc.affinity.preferred.size > 0) {
    const ctx = pc.affinity;
    addNormalised(total, nodes.map((n) => preferredPodAffinityScore(ctx, n)), WEIGHT.podAffinity, false);
  }
  if (pc.spread) {
    const ctx = pc.spread;
    addNormalised(total, nodes.map((n) => spreadCount(ctx, n)), WEIGHT.spread, true);
  }
  if (pc.owner) {
    // Default spreading: fewer pods of the same controller on a node is better.
    const owner = pc.owner;
    addNormalised(total, nodes.map((n) => n.podsByOwner.get(owner) ?? 0), WEIGHT.ownerSpread, true);
  }
  return total;
}
