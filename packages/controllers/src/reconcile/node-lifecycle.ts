/**
 * Node lifecycle, driven by gossip liveness (ctx.nodeLiveness):
 * - a node dead (or left) for nodeMonitorGracePeriodMs gets Ready=Unknown and
 *   the `node.kubernetes.io/unreachable` NoExecute taint;
 * - its pods without a toleration for that taint are evicted (deleted) once
 *   their toleration runs out: the pod's tolerationSeconds, else the configured
 *   default; a node that left gracefully has its pods evicted at once;
 * - a node alive again loses the taint and gets Ready=True back.
 *
 * Evictions from a node gossip declares dead are forced (grace period 0): the
 * node's agent cannot confirm the stop, and fencing is the agent's job on
 * return (it kills containers of pods no longer bound to it before starting
 * anything). Pods already terminating there are force-deleted too.
 *
 * Except StatefulSet pods: a dead node's containers may still be running (the
 * daemon died, not the machine), and a StatefulSet promises at most one pod
 * per ordinal. Their eviction is graceful: the pod stays Terminating, which
 * keeps the ordinal's name taken, until the node's agent returns, stops the
 * containers and confirms; or until an administrator force-deletes it.
 *
 * Pods bound to a node that no longer exists are force-deleted (Kubernetes'
 * pod garbage collection), so their controllers replace them.
 */
import type { Action, Node, ObjectKey, ObjectReader, Pod, Taint, Toleration } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { findCondition, setCondition } from './util/conditions.js';
import { eventAction } from './util/events.js';
import { isFinished, isTerminating } from './util/pods.js';
import { iso, ms } from './util/time.js';
import { controllerRef } from './util/owners.js';

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
const LOST_REASON = 'NodeStatusUnknown';

function tolerationMatches(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/** Seconds the pod may stay after the taint was added; Infinity when it tolerates it forever. */
export function secondsTolerated(pod: Pod, taint: Taint, defaultSeconds: number): number {
  const matching = (pod.spec?.tolerations ?? []).filter((t) => tolerationMatches(t, taint));
  if (matching.length === 0) return defaultSeconds;
  if (matching.some((t) => t.tolerationSeconds === undefined)) return Infinity;
  return Math.max(0, Math.min(...matching.map((t) => t.tolerationSeconds as number)));
}

export function reconcileNode(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const node = view.get<Node>(key);
  if (!node) return orphanedPods(key.name, view, ctx);
  if (!ctx.nodeLiveness) return { actions: [] };
  const r = reconcileWithLiveness(node, view, ctx);
  // Level-triggered on gossip too: look again after nodeMonitorPeriodMs even if nothing changes.
  const period = ctx.config.nodeMonitorPeriodMs;
  if (period <= 0) return r;
  return { actions: r.actions, requeueAfterMs: Math.min(r.requeueAfterMs ?? period, period) };
}

/** A pod younger than this, bound to a node not (yet) registered, is left alone: its node may be joining. */
export const ORPHAN_POD_GRACE_MS = 40_000;

function orphanedPods(nodeName: string, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const actions: Action[] = [];
  let requeueAfterMs: number | undefined;
  for (const pod of view.list<Pod>('Pod').filter((p) => p.spec?.nodeName === nodeName)) {
    const age = ctx.now - (ms(pod.metadata.creationTimestamp) ?? 0);
    if (age < ORPHAN_POD_GRACE_MS) {
      requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, ORPHAN_POD_GRACE_MS - age);
      continue;
    }
    actions.push({ op: 'delete', key: { kind: 'Pod', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name }, uid: pod.metadata.uid, gracePeriodSeconds: 0 });
    if (!isFinished(pod)) actions.push(...eventAction(view, ctx, pod, 'Warning', 'NodeLost', `Node ${nodeName} no longer exists`));
  }
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
}

function reconcileWithLiveness(node: Node, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const live = ctx.nodeLiveness?.(node.metadata.name);
  if (!live) return { actions: [] };
  const name = node.metadata.name;
  const taints = node.spec?.taints ?? [];
  const taint = taints.find((t) => t.key === UNREACHABLE_TAINT && t.effect === 'NoExecute');
  const ready = findCondition(node.status?.conditions, 'Ready');
  const down = live.state === 'dead' || live.state === 'left';

  if (!down) {
    if (live.state === 'suspect') return { actions: [] };
    // Back: lift the taint first (spec), then restore Ready (status) on the next pass.
    if (taint) return { actions: [{ op: 'update', object: { ...node, spec: { ...node.spec, taints: taints.filter((t) => t !== taint) } } }] };
    if (ready?.reason === LOST_REASON) {
      const conditions = setCondition(node.status?.conditions, { type: 'Ready', status: 'True', reason: 'NodeReady', message: 'node is reachable again' }, ctx.now);
      return { actions: [{ op: 'updateStatus', object: { ...node, status: { ...node.status, conditions } } }, ...eventAction(view, ctx, node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`)] };
    }
    return { actions: [] };
  }

  const graceEnds = live.since + ctx.config.nodeMonitorGracePeriodMs;
  if (ctx.now < graceEnds) return { actions: [], requeueAfterMs: graceEnds - ctx.now };

  if (!taint) {
    const added: Taint = { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: iso(ctx.now) };
    return { actions: [{ op: 'update', object: { ...node, spec: { ...node.spec, taints: [...taints, added] } } }] };
  }
  const actions: Action[] = [];
  if (ready?.status !== 'Unknown' || ready.reason !== LOST_REASON) {
    const conditions = setCondition(node.status?.conditions, { type: 'Ready', status: 'Unknown', reason: LOST_REASON, message: `node is ${live.state} according to gossip` }, ctx.now);
    actions.push({ op: 'updateStatus', object: { ...node, status: { ...node.status, conditions } } });
    actions.push(...eventAction(view, ctx, node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`));
  }

  const taintedAt = ms(taint.timeAdded) ?? ctx.now;
  let requeueAfterMs: number | undefined;
  for (const pod of view.list<Pod>('Pod').filter((p) => p.spec?.nodeName === name && !isFinished(p))) {
    const podKey = { kind: 'Pod', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name };
    const fenced = controllerRef(pod)?.kind === 'StatefulSet';
    if (isTerminating(pod)) {
      // Its agent cannot finish the stop: finish it here (never for a fenced pod).
      if (!fenced) actions.push({ op: 'delete', key: podKey, uid: pod.metadata.uid, gracePeriodSeconds: 0 });
      continue;
    }
    const seconds = live.state === 'left' ? 0 : secondsTolerated(pod, taint, ctx.config.defaultTolerationSeconds);
    if (seconds === Infinity) continue;
    const at = taintedAt + seconds * 1000;
    if (ctx.now >= at) {
      actions.push(fenced ? { op: 'delete', key: podKey, uid: pod.metadata.uid } : { op: 'delete', key: podKey, uid: pod.metadata.uid, gracePeriodSeconds: 0 });
      actions.push(...eventAction(view, ctx, pod, 'Warning', 'Evicted', `Evicted from node ${name}: node is ${live.state}`));
    } else requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, at - ctx.now);
  }
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
}
