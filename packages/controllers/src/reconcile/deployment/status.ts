/** Deployment status and its Available / Progressing conditions, including the progress deadline. */
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '@shoal/api';
import { findCondition, setCondition } from '../util/conditions.js';
import { iso, ms } from '../util/time.js';

export type ProgressEvent = { kind: 'created'; rs: string } | { kind: 'updated'; rs: string } | undefined;

export interface StatusResult {
  status: DeploymentStatus;
  /** When the progress deadline would pass, if it can. */
  deadlineAt?: number;
}

function progressed(prev: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  if (!prev) return true;
  return (next.updatedReplicas ?? 0) > (prev.updatedReplicas ?? 0) || (next.availableReplicas ?? 0) > (prev.availableReplicas ?? 0) || (next.readyReplicas ?? 0) > (prev.readyReplicas ?? 0) || (next.replicas ?? 0) < (prev.replicas ?? 0) && (next.updatedReplicas ?? 0) > 0;
}

/** A Progressing=True condition whose lastUpdateTime moves to now (progress resets the deadline clock). */
function progressing(conditions: Condition[], reason: string, message: string, now: number): Condition[] {
  const prev = findCondition(conditions, 'Progressing');
  const c: Condition = { type: 'Progressing', status: 'True', reason, message, lastUpdateTime: iso(now), lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : iso(now) };
  return [...conditions.filter((x) => x.type !== 'Progressing'), c];
}

export function deploymentStatus(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined, maxUnavailable: number, event: ProgressEvent, now: number): StatusResult {
  const spec = d.spec!;
  const desired = spec.replicas ?? 1;
  const sum = (f: (rs: ReplicaSet) => number | undefined): number => all.reduce((s, rs) => s + (f(rs) ?? 0), 0);
  const available = sum((rs) => rs.status?.availableReplicas);
  const base: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum((rs) => rs.status?.replicas) - available, desired - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
  };
  let conditions = d.status?.conditions ? [...d.status.conditions] : [];
  conditions = setCondition(conditions, available >= desired - maxUnavailable
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);

  const deadlineS = spec.progressDeadlineSeconds ?? 600;
  const rsName = newRS?.metadata.name ?? '';
  const oldPods = (base.replicas ?? 0) - (base.updatedReplicas ?? 0);
  const complete = newRS !== undefined && base.updatedReplicas === desired && (newRS.spec?.replicas ?? 0) === desired && available >= desired && oldPods === 0;
  let deadlineAt: number | undefined;
  if (spec.paused) {
    conditions = setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, now);
  } else if (complete) {
    conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, now);
  } else if (event?.kind === 'created') {
    conditions = progressing(conditions, 'NewReplicaSetCreated', `Created new replica set "${event.rs}"`, now);
  } else if (event?.kind === 'updated' || progressed(d.status, base) || findCondition(conditions, 'Progressing')?.reason === 'DeploymentPaused') {
    conditions = progressing(conditions, 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, now);
  }
  const prog = findCondition(conditions, 'Progressing');
  if (!spec.paused && !complete && prog?.status === 'True') {
    const last = ms(prog.lastUpdateTime) ?? now;
    deadlineAt = last + deadlineS * 1000;
    if (now >= deadlineAt) {
      conditions = setCondition(conditions, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, now);
      deadlineAt = undefined;
    }
  }
  return { status: { ...base, conditions }, ...(deadlineAt !== undefined ? { deadlineAt } : {}) };
}
