/**
 * ReplicaSet: keep `replicas` active pods. Creates pods with deterministic
 * names (`<rs>-<5 chars>`, the suffix a hash of the set's uid and the lowest
 * free slot number), so a retried reconcile or a new leader asks for the same
 * names and the store refuses the duplicates. Deletes the least valuable pods
 * first: unscheduled, then pending, then not ready, then the most recently
 * ready, then the newest. Finished pods are deleted and replaced. Active
 * pods that match the selector and have no controller are adopted.
 */
import type { Action, ObjectKey, ObjectReader, Pod, ReplicaSet, ReplicaSetStatus } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { eventAction } from './util/events.js';
import { deepEqual, encodeSuffix } from './util/hash.js';
import { controllerRef, isControlledBy, ownerRefTo } from './util/owners.js';
import { createdAt, isActive, isFinished, isPodAvailable, isPodReady, isTerminating, msUntilAvailable, podFromTemplate, readySince } from './util/pods.js';
import { isEmptySelector, matchesSelector } from '@shoal/api';

/** Most pods one reconcile creates or deletes; the rest follow on the next pass (Kubernetes' burst of 500). */
export const MAX_BATCH = 500;

/** Slot i of a set's pod names. */
export function podNameFor(ownerName: string, ownerUid: string, slot: number): string {
  return `${ownerName}-${encodeSuffix(`${ownerUid}/${slot}`, 5)}`;
}

/** The first `count` pod names of `owner` that no pod in the namespace uses. */
export function freePodNames(view: ObjectReader, namespace: string, ownerName: string, ownerUid: string, count: number): string[] {
  const out: string[] = [];
  for (let slot = 0; out.length < count; slot++) {
    const name = podNameFor(ownerName, ownerUid, slot);
    if (!view.get({ kind: 'Pod', namespace, name })) out.push(name);
  }
  return out;
}

/** Sort key: lower is deleted first. */
function deletionRank(pod: Pod): number[] {
  const scheduled = pod.spec?.nodeName ? 1 : 0;
  const running = pod.status?.phase === 'Running' ? 1 : 0;
  const ready = isPodReady(pod) ? 1 : 0;
  // Among ready pods, the one ready for the shortest time goes first; then the newest.
  const since = readySince(pod) ?? 0;
  const restarts = (pod.status?.containerStatuses ?? []).reduce((s, c) => s + c.restartCount, 0);
  return [scheduled, running, ready, -since, -restarts, -createdAt(pod)];
}

export function podsToDelete(pods: readonly Pod[], count: number): Pod[] {
  const ranked = pods.map((p) => ({ p, r: deletionRank(p) }));
  ranked.sort((a, b) => {
    for (let i = 0; i < a.r.length; i++) {
      const d = (a.r[i] as number) - (b.r[i] as number);
      if (d !== 0) return d;
    }
    return a.p.metadata.name < b.p.metadata.name ? -1 : a.p.metadata.name > b.p.metadata.name ? 1 : 0;
  });
  return ranked.slice(0, count).map((x) => x.p);
}

export function replicaSetStatus(rs: ReplicaSet, pods: readonly Pod[], now: number): ReplicaSetStatus {
  const active = pods.filter(isActive);
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const labels = rs.spec?.template.metadata?.labels ?? {};
  return {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata.generation,
    ...(rs.status?.conditions?.length ? { conditions: rs.status.conditions } : {}),
  };
}

export function reconcileReplicaSet(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const rs = view.get<ReplicaSet>(key);
  // A set being deleted creates nothing more; the garbage collector takes its pods.
  if (!rs || !rs.spec || isTerminating(rs)) return { actions: [] };
  const ns = rs.metadata.namespace ?? 'default';
  const pods = view.list<Pod>('Pod', { namespace: ns }).filter((p) => isControlledBy(p, rs) && matchesSelector(rs.spec!.selector, p.metadata.labels));
  const actions: Action[] = [];

  // Adoption: an orphan matching the selector becomes ours (the resourceVersion precondition settles races).
  const orphans = view.list<Pod>('Pod', { namespace: ns }).filter((p) => !controllerRef(p) && isActive(p) && !isEmptySelector(rs.spec!.selector) && matchesSelector(rs.spec!.selector, p.metadata.labels));
  if (orphans.length > 0) {
    return { actions: orphans.map((p) => ({ op: 'update', object: { ...p, metadata: { ...p.metadata, ownerReferences: [...(p.metadata.ownerReferences ?? []), ownerRefTo(rs)] } } })) };
  }

  // Finished pods (failed, evicted) do not count; remove them so their replacements are the only copies.
  for (const p of pods.filter((x) => isFinished(x) && !isTerminating(x))) {
    actions.push({ op: 'delete', key: { kind: 'Pod', namespace: ns, name: p.metadata.name }, uid: p.metadata.uid, gracePeriodSeconds: 0 });
  }

  const active = pods.filter(isActive);
  const want = Math.max(0, rs.spec.replicas ?? 1);
  const diff = want - active.length;
  if (diff > 0) {
    for (const name of freePodNames(view, ns, rs.metadata.name, rs.metadata.uid ?? '', Math.min(diff, MAX_BATCH))) {
      const pod = podFromTemplate(rs.spec.template, { name, namespace: ns, owner: rs });
      actions.push({ op: 'create', object: pod });
      actions.push(...eventAction(view, ctx, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`));
    }
  } else if (diff < 0) {
    for (const p of podsToDelete(active, Math.min(-diff, MAX_BATCH))) {
      actions.push({ op: 'delete', key: { kind: 'Pod', namespace: ns, name: p.metadata.name }, uid: p.metadata.uid });
      actions.push(...eventAction(view, ctx, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`));
    }
  }

  const status = replicaSetStatus(rs, pods, ctx.now);
  if (!deepEqual(status, rs.status)) actions.push({ op: 'updateStatus', object: { ...rs, status } });

  // Come back when a ready pod passes minReadySeconds, so availableReplicas moves.
  let requeueAfterMs: number | undefined;
  for (const p of active) {
    const wait = msUntilAvailable(p, rs.spec.minReadySeconds ?? 0, ctx.now);
    if (wait !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
  }
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
}
