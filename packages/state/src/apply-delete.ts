/**
 * delete, with Kubernetes' propagation policies and graceful pod deletion.
 *
 * - Finalizers hold an object: deletionTimestamp is set and it is removed
 *   when its last finalizer goes.
 * - A pod bound to a node (and not finished) is deleted gracefully:
 *   deletionTimestamp = now + grace and deletionGracePeriodSeconds = grace;
 *   the node agent stops the containers and sends a delete with
 *   gracePeriodSeconds 0, which removes it. Unbound or finished pods go at once.
 * - Orphan strips the ownerReferences to the object from its dependents in
 *   the same apply. Foreground adds the `foregroundDeletion` finalizer (the
 *   GC controller deletes the dependents, then removes it); with no
 *   dependents there is nothing to wait for and the object goes at once.
 *   Background removes the object; the GC controller removes its dependents.
 * - Deleting a namespace deletes everything in it; the namespace goes last.
 */
import type { KubeObject, PodSpec, PodStatus, PropagationPolicy } from '@shoal/api';
import { checkPreconditions, checkTimestamp, finishDeletion, invalid, normalizeKey, podSpecOf } from './apply-common.js';
import type { DeleteCommand } from './commands.js';
import { ForbiddenError, NotFoundError } from './errors.js';
import { keyOf, type StoredObject } from './object-table.js';
import { addSeconds } from './plain-data.js';
import type { Writer } from './writer.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
/** Namespaces that always exist (created at bootstrap, never deleted). */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system'];

export interface DeleteOutcome {
  object: StoredObject;
  /** True when the object is gone; false when deletion is pending (grace period or finalizers). */
  removed: boolean;
}

export function applyDelete(w: Writer, cmd: DeleteCommand): DeleteOutcome {
  const timestamp = checkTimestamp(cmd.timestamp);
  const key = cmd.key;
  if (!key || typeof key.kind !== 'string' || typeof key.name !== 'string') throw invalid(undefined, '(command).key', 'Required value', 'Required');
  const policy = cmd.propagationPolicy ?? 'Background';
  if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw invalid(key, 'propagationPolicy', `Unsupported value: ${JSON.stringify(policy)}: supported values: "Background", "Foreground", "Orphan"`, 'Unsupported');
  }
  const grace = cmd.gracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) {
    throw invalid(key, 'gracePeriodSeconds', `Invalid value: ${grace}: must be greater than or equal to 0`);
  }
  const cur = w.get(normalizeKey(key));
  if (!cur) throw new NotFoundError(key);
  checkPreconditions(key, cur, cmd.uid, cmd.resourceVersion);
  if (cur.kind === 'Namespace' && SYSTEM_NAMESPACES.includes(cur.metadata.name)) {
    throw new ForbiddenError(key, `namespace ${cur.metadata.name} may not be deleted`);
  }
  const after = deleteObject(w, cur, policy, grace, timestamp);
  return { object: after, removed: w.get(keyOf(cur)) === undefined };
}

const copy = (o: StoredObject): KubeObject => ({ ...o, metadata: { ...o.metadata } });

function isGracefulPod(o: StoredObject): boolean {
  const spec = podSpecOf(o);
  const phase = (o.status as PodStatus | undefined)?.phase;
  return !!spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed';
}

export function deleteObject(w: Writer, cur: StoredObject, policy: PropagationPolicy, grace: number | undefined, timestamp: string): StoredObject {
  if (policy === 'Orphan') orphanDependents(w, cur);
  if (cur.metadata.deletionTimestamp) return deleteAgain(w, cur, grace, timestamp);

  const next = copy(cur);
  const finalizers = [...(cur.metadata.finalizers ?? [])];
  if (policy === 'Foreground' && w.table.dependents(cur.metadata.uid ?? '').length > 0 && !finalizers.includes(FOREGROUND_FINALIZER)) {
    finalizers.push(FOREGROUND_FINALIZER);
  }
  if (cur.kind === 'Namespace') {
    next.metadata.deletionTimestamp = timestamp;
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...((cur.status as object | undefined) ?? {}), phase: 'Terminating' };
    const marked = w.commit('MODIFIED', next, cur);
    for (const o of w.table.inNamespace(cur.metadata.name)) {
      const live = w.get(keyOf(o));
      if (live) deleteObject(w, live, 'Background', undefined, timestamp);
    }
    // The namespace goes with its last object (see Writer); when it was empty, it goes now.
    const live = w.get(keyOf(marked));
    return live ? finishDeletion(w, live) : marked;
  }
  if (isGracefulPod(cur)) {
    const g = grace ?? (cur.spec as PodSpec).terminationGracePeriodSeconds ?? 30;
    if (g > 0 || finalizers.length > 0) {
      next.metadata.deletionTimestamp = addSeconds(timestamp, g);
      next.metadata.deletionGracePeriodSeconds = g;
      if (finalizers.length > 0) next.metadata.finalizers = finalizers;
      return w.commit('MODIFIED', next, cur);
    }
  }
  if (finalizers.length > 0) {
    next.metadata.deletionTimestamp = timestamp;
    next.metadata.deletionGracePeriodSeconds = 0;
    next.metadata.finalizers = finalizers;
    return w.commit('MODIFIED', next, cur);
  }
  return w.commit('DELETED', next);
}

/** A delete of an object already terminating: may shorten a pod's grace period, never lengthen it. */
function deleteAgain(w: Writer, cur: StoredObject, grace: number | undefined, timestamp: string): StoredObject {
  const current = cur.metadata.deletionGracePeriodSeconds ?? 0;
  if (grace === undefined || grace >= current) return finishDeletion(w, cur);
  const next = copy(cur);
  next.metadata.deletionGracePeriodSeconds = grace;
  next.metadata.deletionTimestamp = addSeconds(timestamp, grace);
  return finishDeletion(w, w.commit('MODIFIED', next, cur));
}

function orphanDependents(w: Writer, owner: StoredObject): void {
  const uid = owner.metadata.uid;
  if (!uid) return;
  for (const d of w.table.dependents(uid)) {
    const next = copy(d);
    const refs = (d.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    if (refs.length > 0) next.metadata.ownerReferences = refs;
    else delete next.metadata.ownerReferences;
    w.commit('MODIFIED', next, d);
  }
}
