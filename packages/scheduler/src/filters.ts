/**
 * Node filters. Each returns the reasons a node cannot take the pod, worded
 * as Kubernetes words them so users recognise the message; an empty list
 * means the node is feasible.
 */
import { matchesNodeRequirements } from './node-affinity.js';
import type { NodeState } from './node-state.js';
import { checkPodAffinity } from './pod-affinity.js';
import type { PodContext } from './pod-context.js';
import { firstUntoleratedTaint, formatTaint } from './taints.js';
import { violatesSpread } from './topology-spread.js';

export const REASON = {
  unschedulable: 'node(s) were unschedulable',
  notReady: 'node(s) were not ready',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  insufficientCpu: 'Insufficient cpu',
  insufficientMemory: 'Insufficient memory',
  tooManyPods: 'Too many pods',
  ports: "node(s) didn't have free ports for the requested pod ports",
  podAffinity: "node(s) didn't match pod affinity rules",
  podAntiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
  spread: "node(s) didn't match pod topology spread constraints",
} as const;

export function volumeReason(node: string, claim: string): string {
  return claim ? `node(s) didn't hold the pod's volume ${claim} (it lives on node ${node})` : `node(s) didn't hold the pod's volumes (they live on node ${node})`;
}

const FEASIBLE: readonly string[] = Object.freeze([]);

/** Reasons `node` cannot run the pod; [] when it can. Stops at the first failing check, except resources (all listed). */
export function filterNode(pc: PodContext, node: NodeState): readonly string[] {
  if (node.unschedulable) return [REASON.unschedulable];
  if (!node.ready) return [REASON.notReady];
  if (!matchesNodeRequirements(pc.pod, node.labels, node.name)) return [REASON.nodeAffinity];
  const taint = firstUntoleratedTaint(node.taints, pc.pod.spec?.tolerations);
  if (taint) return [`node(s) had untolerated taint ${formatTaint(taint)}`];
  for (const pin of pc.volumePins) {
    // A volume lives on one node: the pod may only run where its data is.
    if (pin.node !== node.name) return [volumeReason(pin.node, pin.claim)];
  }

  const a = node.allocatable;
  // Safety: never commit more than allocatable; this is what keeps a batch from overcommitting.
  const noCpu = pc.requests.cpu > 0 && node.requested.cpu + pc.requests.cpu > a.cpu;
  const noMemory = pc.requests.memory > 0 && node.requested.memory + pc.requests.memory > a.memory;
  const noRoom = node.pods.length + 1 > a.pods;
  if (noCpu || noMemory || noRoom) {
    const fit: string[] = [];
    if (noCpu) fit.push(REASON.insufficientCpu);
    if (noMemory) fit.push(REASON.insufficientMemory);
    if (noRoom) fit.push(REASON.tooManyPods);
    return fit;
  }

  for (const hp of pc.hostPorts) if (node.portTaken(hp)) return [REASON.ports];
  if (pc.affinity) {
    const v = checkPodAffinity(pc.affinity, node);
    if (v === 'affinity') return [REASON.podAffinity];
    if (v === 'antiAffinity') return [REASON.podAntiAffinity];
    if (v === 'existingAntiAffinity') return [REASON.existingAntiAffinity];
  }
  if (pc.spread && violatesSpread(pc.spread, node)) return [REASON.spread];
  return FEASIBLE;
}
