/**
 * update and updateStatus. update replaces spec/data and user metadata and
 * keeps status; updateStatus replaces status only. Both check the uid and
 * resourceVersion preconditions, skip no-op writes, and let a terminating
 * object go once its last finalizer is removed.
 */
import type { KubeObject, ObjectMeta, PodSpec, ServiceSpec } from '@shoal/api';
import { applyDefaults, validateUpdate, withoutNulls } from '@shoal/api';
import { checkPreconditions, finishDeletion, invalid, keyOfIncoming, mustValidate } from './apply-common.js';
import { addServerFinalizers, mergeStringData } from './apply-create.js';
import type { UpdateCommand, UpdateStatusCommand } from './commands.js';
import { InvalidError, NotFoundError } from './errors.js';
import type { StoredObject } from './object-table.js';
import { deepEqual } from './plain-data.js';
import { reconcileForUpdate } from './services.js';
import type { Writer } from './writer.js';

/** Top-level fields that are neither identity, metadata nor status: a change to any bumps generation. */
const NOT_SPEC = new Set(['apiVersion', 'kind', 'metadata', 'status']);

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (NOT_SPEC.has(k)) continue;
    if (!deepEqual((a as unknown as Record<string, unknown>)[k], (b as unknown as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/** Metadata fields the server owns: an update cannot change them. */
function keepServerMeta(next: ObjectMeta, cur: Readonly<ObjectMeta>): void {
  next.name = cur.name;
  if (cur.namespace !== undefined) next.namespace = cur.namespace;
  else delete next.namespace;
  for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName', 'generation', 'resourceVersion'] as const) {
    if (cur[f] !== undefined) (next as unknown as Record<string, unknown>)[f] = cur[f];
    else delete next[f];
  }
}

const IMMUTABLE_DATA = ['data', 'binaryData', 'stringData'] as const;

export function applyUpdate(w: Writer, cmd: UpdateCommand): StoredObject {
  const key = keyOfIncoming(cmd.object);
  const cur = w.get(key);
  if (!cur) throw new NotFoundError(key);
  checkPreconditions(key, cur, cmd.object.metadata.uid, cmd.object.metadata.resourceVersion);
  const next = applyDefaults(cmd.object);
  keepServerMeta(next.metadata, cur.metadata);
  // A server finalizer goes only once deletion has started (its owner removes it then).
  if (!cur.metadata.deletionTimestamp) addServerFinalizers(next);
  if (cur.status !== undefined) next.status = cur.status;
  else delete next.status;

  const curRec = cur as unknown as Record<string, unknown>;
  if (curRec.immutable === true) {
    mergeStringData(next);
    const nextRec = next as unknown as Record<string, unknown>;
    for (const f of [...IMMUTABLE_DATA, 'immutable']) {
      if (!deepEqual(curRec[f], nextRec[f])) throw invalid(key, f, 'Forbidden: field is immutable when `immutable` is set', 'Forbidden');
    }
  }
  mergeStringData(next);
  const podSpec = cur.kind === 'Pod' ? (next.spec as PodSpec | undefined) : undefined;
  if (podSpec && typeof podSpec === 'object') {
    const was = (cur.spec as PodSpec).nodeName;
    if (podSpec.nodeName === undefined && was) podSpec.nodeName = was;
    if ((podSpec.nodeName ?? '') !== (was ?? '')) throw invalid(key, 'spec.nodeName', 'Forbidden: may not be changed by update; bind the pod instead', 'Forbidden');
  }
  mustValidate(w, key, next);
  const updateIssues = validateUpdate(cur, next);
  if (updateIssues.length > 0) throw new InvalidError(key, updateIssues);
  if (cur.kind === 'Service') {
    const spec = next.spec as ServiceSpec;
    const curSpec = cur.spec as ServiceSpec;
    if ((spec.clusterIP === 'None') !== (curSpec.clusterIP === 'None') && spec.clusterIP) {
      throw invalid(key, 'spec.clusterIP', `Invalid value: ${JSON.stringify(spec.clusterIP)}: field is immutable`);
    }
    reconcileForUpdate(w, key, curSpec, spec);
  }
  if (specChanged(cur, next)) next.metadata.generation = (cur.metadata.generation ?? 0) + 1;
  if (deepEqual(next, cur)) return cur;
  const stored = w.commit('MODIFIED', next, cur);
  return finishDeletion(w, stored);
}

export function applyUpdateStatus(w: Writer, cmd: UpdateStatusCommand): StoredObject {
  const key = keyOfIncoming(cmd.object);
  const cur = w.get(key);
  if (!cur) throw new NotFoundError(key);
  checkPreconditions(key, cur, cmd.object.metadata.uid, cmd.object.metadata.resourceVersion);
  const next: KubeObject = { ...cur, metadata: { ...cur.metadata } };
  const status: unknown = withoutNulls(cmd.object.status);
  if (status === undefined) delete next.status;
  else next.status = status;
  mustValidate(w, key, next);
  if (deepEqual(next, cur)) return cur;
  return w.commit('MODIFIED', next, cur);
}
