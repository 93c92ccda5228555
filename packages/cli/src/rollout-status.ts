/**
 * Where a rollout stands, in kubectl's words: one message, and whether it
 * is done or has failed. Pure: the command feeds it each new version of the
 * object from a watch.
 */
import type { DaemonSet, Deployment, KubeObject, StatefulSet } from '@shoal/api';

export interface RolloutState { message: string; done: boolean; failed: boolean }

const waiting = (message: string): RolloutState => ({ message, done: false, failed: false });
const finished = (message: string): RolloutState => ({ message, done: true, failed: false });

function deploymentState(d: Deployment): RolloutState {
  const name = d.metadata.name;
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return waiting('Waiting for deployment spec update to be observed...');
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { message: `deployment "${name}" exceeded its progress deadline`, done: false, failed: true };
  const replicas = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < replicas) return waiting(`Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`);
  if ((s.replicas ?? 0) > updated) return waiting(`Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...`);
  if ((s.availableReplicas ?? 0) < updated) return waiting(`Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...`);
  return finished(`deployment "${name}" successfully rolled out`);
}

function statefulSetState(sts: StatefulSet): RolloutState {
  const s = sts.status;
  if (!s?.observedGeneration || (sts.metadata.generation ?? 0) > s.observedGeneration) return waiting('Waiting for statefulset spec update to be observed...');
  const replicas = sts.spec?.replicas ?? 1;
  if ((s.readyReplicas ?? 0) < replicas) return waiting(`Waiting for ${replicas - (s.readyReplicas ?? 0)} pods to be ready...`);
  const strategy = sts.spec?.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return finished(`statefulset "${sts.metadata.name}" uses ${strategy?.type}: pods update when deleted`);
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const want = replicas - partition;
    if ((s.updatedReplicas ?? 0) < want) return waiting(`Waiting for partitioned roll out to finish: ${s.updatedReplicas ?? 0} out of ${want} new pods have been updated...`);
    return finished(`partitioned roll out complete: ${s.updatedReplicas ?? 0} new pods have been updated...`);
  }
  if (s.updateRevision !== s.currentRevision) return waiting(`waiting for statefulset rolling update to complete ${s.updatedReplicas ?? 0} pods at revision ${s.updateRevision ?? '?'}...`);
  return finished(`statefulset rolling update complete ${s.currentReplicas ?? replicas} pods at revision ${s.currentRevision ?? '?'}...`);
}

function daemonSetState(ds: DaemonSet): RolloutState {
  const name = ds.metadata.name;
  const s = ds.status;
  if (!s || (ds.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return waiting('Waiting for daemon set spec update to be observed...');
  const desired = s.desiredNumberScheduled;
  if ((s.updatedNumberScheduled ?? 0) < desired) return waiting(`Waiting for daemon set "${name}" rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`);
  if ((s.numberAvailable ?? 0) < desired) return waiting(`Waiting for daemon set "${name}" rollout to finish: ${s.numberAvailable ?? 0} of ${desired} updated pods are available...`);
  return finished(`daemon set "${name}" successfully rolled out`);
}

export function rolloutState(obj: KubeObject): RolloutState {
  switch (obj.kind) {
    case 'Deployment': return deploymentState(obj as Deployment);
    case 'StatefulSet': return statefulSetState(obj as StatefulSet);
    case 'DaemonSet': return daemonSetState(obj as DaemonSet);
    default: return { message: `${obj.kind} has no rollout`, done: false, failed: true };
  }
}
