/**
 * The controllers the leader runs, with the changes that wake each one.
 * The daemon passes `defaultControllers()` to the ControllerManager.
 */
import { KINDS, matchesSelector, type Kind, type ObjectKey, type PersistentVolumeClaim, type Pod, type Service, type StatefulSet } from '@shoal/api';
import type { Change, Controller } from './manager/controller.js';
import { reconcileDeployment } from './reconcile/deployment/deployment.js';
import { reconcileEndpoints } from './reconcile/endpoints.js';
import { dependentsOf, garbageCandidate, reconcileGarbage } from './reconcile/garbage-collector.js';
import { reconcileNode } from './reconcile/node-lifecycle.js';
import { reconcileReplicaSet } from './reconcile/replicaset.js';
import { keyOf } from './reconcile/util/keys.js';
import type { ObjectReader } from '@shoal/api';
import { claimOrdinal, reconcileStatefulSet } from './reconcile/statefulset.js';
import { reconcileJob } from './reconcile/job.js';
import { reconcileCronJob } from './reconcile/cronjob.js';
import { reconcileDaemonSet } from './reconcile/daemonset.js';
import { claimKeysOf, reconcileVolumeClaim } from './reconcile/volume-claim.js';

/** A node change wakes every DaemonSet (eligibility may change). */
export function nodeToDaemonSets(_change: Change, view: ObjectReader): ObjectKey[] {
  return view.list('DaemonSet').map(keyOf);
}

function podsOf(change: Change): Pod[] {
  return [change.object, change.previous].filter((o): o is Pod => o?.kind === 'Pod');
}

/** A pod change wakes the node it is (or was) on. */
export function podToNode(change: Change): ObjectKey[] {
  const names = new Set(podsOf(change).map((p) => p.spec?.nodeName).filter((n): n is string => !!n));
  return [...names].map((name) => ({ kind: 'Node', namespace: '', name }));
}

/** A pod change wakes every Service in its namespace whose selector matches its old or new labels. */
export function podToServices(change: Change, view: ObjectReader): ObjectKey[] {
  const pods = podsOf(change);
  if (pods.length === 0) return [];
  return view
    .list<Service>('Service', { namespace: change.key.namespace })
    .filter((s) => s.spec?.selector && Object.keys(s.spec.selector).length > 0 && pods.some((p) => matchesSelector({ matchLabels: s.spec!.selector }, p.metadata.labels)))
    .map(keyOf);
}

/** A pod change wakes the claims it mounts (placement, protection). */
export function podToClaims(change: Change): ObjectKey[] {
  return podsOf(change).flatMap(claimKeysOf);
}

/** A claim change wakes the StatefulSets whose claim names and selector it matches. */
export function claimToStatefulSets(change: Change, view: ObjectReader): ObjectKey[] {
  const claim = (change.object ?? change.previous) as PersistentVolumeClaim | undefined;
  if (!claim) return [];
  return view
    .list<StatefulSet>('StatefulSet', { namespace: change.key.namespace })
    .filter((s) => claimOrdinal(s, claim) !== undefined)
    .map(keyOf);
}

const LEAF_KINDS = new Set(['Pod', 'Event', 'Endpoints']);

/** Any change wakes the owners of the object (a foreground deletion waits on them) and, when it is gone, its dependents. */
export function ownersAndDependents(change: Change, view: ObjectReader): ObjectKey[] {
  const out: ObjectKey[] = [];
  for (const o of [change.object, change.previous]) {
    for (const r of o?.metadata.ownerReferences ?? []) {
      const scope = KINDS[r.kind as Kind];
      out.push({ kind: r.kind, namespace: scope && !scope.namespaced ? '' : change.key.namespace, name: r.name });
    }
  }
  // Pods, Events and Endpoints own nothing; skipping them keeps mass pod deletions linear.
  if (!change.object && change.previous && !LEAF_KINDS.has(change.previous.kind)) out.push(...dependentsOf(view, change.previous).map(keyOf));
  return out;
}

export function defaultControllers(): Controller[] {
  return [
    { name: 'deployment', kind: 'Deployment', reconcile: reconcileDeployment, owns: ['ReplicaSet'] },
    { name: 'replicaset', kind: 'ReplicaSet', reconcile: reconcileReplicaSet, owns: ['Pod'] },
    { name: 'node-lifecycle', kind: 'Node', reconcile: reconcileNode, watches: [{ kind: 'Pod', map: podToNode }] },
    { name: 'garbage-collector', kind: '*', reconcile: reconcileGarbage, selects: garbageCandidate, watches: [{ kind: '*', map: ownersAndDependents }] },
    { name: 'endpoints', kind: 'Service', reconcile: reconcileEndpoints, watches: [{ kind: 'Pod', map: podToServices }] },
    { name: 'statefulset', kind: 'StatefulSet', reconcile: reconcileStatefulSet, owns: ['Pod'], watches: [{ kind: 'PersistentVolumeClaim', map: claimToStatefulSets }] },
    { name: 'volume-claim', kind: 'PersistentVolumeClaim', reconcile: reconcileVolumeClaim, watches: [{ kind: 'Pod', map: podToClaims }] },
    { name: 'job', kind: 'Job', reconcile: reconcileJob, owns: ['Pod'] },
    { name: 'cronjob', kind: 'CronJob', reconcile: reconcileCronJob, owns: ['Job'] },
    { name: 'daemonset', kind: 'DaemonSet', reconcile: reconcileDaemonSet, owns: ['Pod'], watches: [{ kind: 'Node', map: nodeToDaemonSets }] },
  ];
}
