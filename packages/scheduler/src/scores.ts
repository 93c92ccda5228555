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
function addNormalised(total: Float64Array, raw: Float64Array, n: number, weight: number, reverse: boolean): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = raw[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (let i = 0; i < n; i++) {
    let s = max === min ? (reverse || max > 0 ? 100 : 0) : (((raw[i] as number) - min) / (max - min)) * 100;
    if (reverse && max !== min) s = 100 - s;
    total[i] = (total[i] as number) + weight * s;
  }
}

/** Scratch space reused across placements (no allocation per pod). */
export interface ScoreBuffers {
  total: Float64Array;
  raw: Float64Array;
}

/** Total weighted score of each node in `nodes` for the pod. Hot path: plain loops, no closures. */
export function scoreNodes(strategy: ScoringStrategy, pc: PodContext, nodes: readonly NodeState[], buffers?: ScoreBuffers): Float64Array {
  const n = nodes.length;
  const total = buffers && buffers.total.length >= n ? buffers.total : new Float64Array(n);
  const raw = buffers && buffers.raw.length >= n ? buffers.raw : new Float64Array(n);
  let anyTaints = false;
  for (let i = 0; i < n; i++) {
    const node = nodes[i] as NodeState;
    total[i] = WEIGHT.resources * resourceScore(strategy, pc, node);
    if (node.taints.length > 0) anyTaints = true;
  }
  const pod = pc.pod;
  if (pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) {
    for (let i = 0; i < n; i++) raw[i] = preferredNodeAffinityScore(pod, (nodes[i] as NodeState).labels, (nodes[i] as NodeState).name);
    addNormalised(total, raw, n, WEIGHT.nodeAffinity, false);
  }
  if (anyTaints) {
    const tolerations = pod.spec?.tolerations;
    for (let i = 0; i < n; i++) raw[i] = countUntoleratedPreferNoSchedule((nodes[i] as NodeState).taints, tolerations);
    addNormalised(total, raw, n, WEIGHT.taints, true);
  }
  if (pc.affinity && pc.affinity.preferred.size > 0) {
    for (let i = 0; i < n; i++) raw[i] = preferredPodAffinityScore(pc.affinity, nodes[i] as NodeState);
    addNormalised(total, raw, n, WEIGHT.podAffinity, false);
  }
  if (pc.spread) {
    for (let i = 0; i < n; i++) raw[i] = spreadCount(pc.spread, nodes[i] as NodeState);
    addNormalised(total, raw, n, WEIGHT.spread, true);
  }
  if (pc.owner) {
    // Default spreading: fewer pods of the same controller on a node is better.
    for (let i = 0; i < n; i++) raw[i] = (nodes[i] as NodeState).podsByOwner.get(pc.owner) ?? 0;
    addNormalised(total, raw, n, WEIGHT.ownerSpread, true);
  }
  return total;
}
