/**
 * Deployment: owns one ReplicaSet per pod template (named and labelled by the
 * template's hash) and moves replicas from the old sets to the new one,
 * RollingUpdate (maxSurge / maxUnavailable) or Recreate. Each reconcile takes
 * one step and returns; the next step runs when the sets' status changes.
 * Revisions are `deployment.kubernetes.io/revision` annotations; old sets
 * beyond revisionHistoryLimit are deleted once the rollout is done.
 */
import type { Action, Deployment, ObjectKey, ObjectReader, Pod, ReplicaSet } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from '../types.js';
import { eventAction } from '../util/events.js';
import { deepEqual } from '../util/hash.js';
import { surgeAndUnavailable } from '../util/int-or-percent.js';
import { isControlledBy } from '../util/owners.js';
import { isFinished, isTerminating } from '../util/pods.js';
import { buildReplicaSet, DESIRED_REPLICAS_ANNOTATION, findNewReplicaSet, hashFor, maxRevision, ownedReplicaSets, REVISION_ANNOTATION, revisionOf, scaledReplicaSet } from './replica-sets.js';
import { newReplicaSetReplicas, proportionalSizes, scaleDownOldReplicaSets } from './rolling.js';
import { deploymentStatus, type ProgressEvent } from './status.js';

interface Step {
  actions: Action[];
  event: ProgressEvent;
}

function scaleAction(view: ObjectReader, ctx: ReconcileContext, d: Deployment, rs: ReplicaSet, replicas: number): Action[] {
  const from = rs.spec?.replicas ?? 0;
  const verb = replicas > from ? 'up' : 'down';
  return [
    { op: 'update', object: scaledReplicaSet(rs, replicas, d) },
    ...eventAction(view, ctx, d, 'Normal', 'ScalingReplicaSet', `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${replicas}`),
  ];
}

function oldPodsRemain(view: ObjectReader, old: readonly ReplicaSet[], ns: string): boolean {
  const pods = view.list<Pod>('Pod', { namespace: ns });
  return old.some((rs) => pods.some((p) => isControlledBy(p, rs) && !isFinished(p)));
}

function recreate(view: ObjectReader, ctx: ReconcileContext, d: Deployment, newRS: ReplicaSet, old: readonly ReplicaSet[]): Step {
  const desired = d.spec!.replicas ?? 1;
  const shrinking = old.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
  if (shrinking.length) return { actions: shrinking.flatMap((rs) => scaleAction(view, ctx, d, rs, 0)), event: { kind: 'updated', rs: newRS.metadata.name } };
  // Recreate means no old pod runs alongside a new one: wait until every old pod is gone, terminating ones included.
  if (oldPodsRemain(view, old, d.metadata.namespace ?? 'default')) return { actions: [], event: undefined };
  if ((newRS.spec?.replicas ?? 0) !== desired) return { actions: scaleAction(view, ctx, d, newRS, desired), event: { kind: 'updated', rs: newRS.metadata.name } };
  return { actions: [], event: undefined };
}

function sizedFor(rs: ReplicaSet): number | undefined {
  const v = Number(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
  return Number.isInteger(v) && v >= 0 ? v : undefined;
}

function rolling(view: ObjectReader, ctx: ReconcileContext, d: Deployment, newRS: ReplicaSet, old: readonly ReplicaSet[], all: readonly ReplicaSet[], surge: number, unavailable: number): Step {
  const desired = d.spec!.replicas ?? 1;
  // Replicas changed mid-rollout: resize every active set in proportion first.
  const active = all.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
  if (active.length > 1 && active.some((rs) => sizedFor(rs) !== desired)) {
    const sizes = proportionalSizes(desired, surge, active, sizedFor);
    const actions: Action[] = [];
    for (const rs of active) {
      const n = sizes.get(rs.metadata.name);
      if (n !== undefined) actions.push(...scaleAction(view, ctx, d, rs, n));
      else if (sizedFor(rs) !== desired) actions.push({ op: 'update', object: scaledReplicaSet(rs, rs.spec?.replicas ?? 0, d) });
    }
    if (actions.length) return { actions, event: { kind: 'updated', rs: newRS.metadata.name } };
  }
  const target = newReplicaSetReplicas(desired, surge, all, newRS);
  if (target !== (newRS.spec?.replicas ?? 0)) return { actions: scaleAction(view, ctx, d, newRS, target), event: { kind: 'updated', rs: newRS.metadata.name } };
  const cuts = scaleDownOldReplicaSets(desired, unavailable, all, newRS, old);
  const actions: Action[] = [];
  for (const rs of old) {
    const n = cuts.get(rs.metadata.name);
    if (n !== undefined) actions.push(...scaleAction(view, ctx, d, rs, n));
  }
  return { actions, event: actions.length ? { kind: 'updated', rs: newRS.metadata.name } : undefined };
}

/** Old sets beyond revisionHistoryLimit, oldest revision first, once they are empty. */
function historyCleanup(d: Deployment, old: readonly ReplicaSet[]): Action[] {
  const limit = d.spec!.revisionHistoryLimit ?? 10;
  const empty = old.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && !isTerminating(rs)).sort((a, b) => revisionOf(a) - revisionOf(b));
  const excess = empty.length - limit;
  if (excess <= 0) return [];
  return empty.slice(0, excess).map((rs) => ({ op: 'delete', key: { kind: 'ReplicaSet', namespace: rs.metadata.namespace ?? 'default', name: rs.metadata.name }, uid: rs.metadata.uid }));
}

export function reconcileDeployment(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const d = view.get<Deployment>(key);
  if (!d || !d.spec || isTerminating(d)) return { actions: [] };
  const spec = d.spec;
  const ns = d.metadata.namespace ?? 'default';
  const desired = spec.replicas ?? 1;
  const sets = ownedReplicaSets(view, d);
  let newRS = findNewReplicaSet(d, sets);
  const old = sets.filter((rs) => rs !== newRS);
  const isRolling = (spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const { surge, unavailable } = isRolling ? surgeAndUnavailable(spec.strategy?.rollingUpdate?.maxSurge, spec.strategy?.rollingUpdate?.maxUnavailable, desired) : { surge: 0, unavailable: desired };
  const actions: Action[] = [];
  let step: Step = { actions: [], event: undefined };

  if (!newRS && !spec.paused) {
    const hash = hashFor(d);
    const name = `${d.metadata.name}-${hash}`;
    const clash = view.get<ReplicaSet>({ kind: 'ReplicaSet', namespace: ns, name });
    if (clash) {
      // A set of that name exists but is not ours or runs another template: change the hash and try again.
      const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
      return { actions: [{ op: 'updateStatus', object: { ...d, status } }] };
    }
    const total = sets.reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
    const replicas = !isRolling ? (oldPodsRemain(view, old, ns) || total > 0 ? 0 : desired) : sets.length === 0 ? desired : Math.max(0, Math.min(desired, desired + surge - total));
    const rs = buildReplicaSet(d, hash, replicas, maxRevision(old) + 1);
    actions.push({ op: 'create', object: rs });
    actions.push(...eventAction(view, ctx, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`));
    step = { actions: [], event: { kind: 'created', rs: rs.metadata.name } };
    newRS = undefined;
  } else if (newRS) {
    // A template that returns to an old set (rollback) makes that set the newest revision.
    const top = maxRevision(old);
    const revision = revisionOf(newRS) > top ? revisionOf(newRS) : top + 1;
    if (revisionOf(newRS) !== revision) {
      actions.push({ op: 'update', object: { ...newRS, metadata: { ...newRS.metadata, annotations: { ...(newRS.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(revision) } } } });
    }
    if (d.metadata.annotations?.[REVISION_ANNOTATION] !== String(revision)) {
      // Metadata first; status follows on the next pass (the update changes resourceVersion).
      actions.push({ op: 'update', object: { ...d, metadata: { ...d.metadata, annotations: { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(revision) } } } });
      return { actions };
    }
    if (spec.paused) {
      // Paused: no rollout, but scaling the current set still follows replicas when it is the only one.
      if (old.every((rs) => (rs.spec?.replicas ?? 0) === 0) && (newRS.spec?.replicas ?? 0) !== desired) step = { actions: scaleAction(view, ctx, d, newRS, desired), event: undefined };
    } else if (isRolling) step = rolling(view, ctx, d, newRS, old, sets, surge, unavailable);
    else step = recreate(view, ctx, d, newRS, old);
    if (step.actions.length === 0 && !spec.paused) actions.push(...historyCleanup(d, old));
  }
  actions.push(...step.actions);

  const { status, deadlineAt } = deploymentStatus(d, sets, newRS, unavailable, step.event, ctx.now);
  const prev = d.status?.conditions?.find((c) => c.type === 'Progressing');
  const next = status.conditions?.find((c) => c.type === 'Progressing');
  if (next?.reason === 'ProgressDeadlineExceeded' && prev?.reason !== 'ProgressDeadlineExceeded') {
    actions.push(...eventAction(view, ctx, d, 'Warning', 'ProgressDeadlineExceeded', next.message ?? ''));
  }
  if (!deepEqual(status, d.status)) actions.push({ op: 'updateStatus', object: { ...d, status } });
  return deadlineAt !== undefined ? { actions, requeueAfterMs: Math.max(1, deadlineAt - ctx.now) } : { actions };
}
