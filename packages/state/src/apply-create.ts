/** create: a new object with the uid, timestamp and name suffix the leader chose. */
import type { KubeObject, PodStatus, ServiceSpec } from '@shoal/api';
import { applyDefaults, CLAIM_PROTECTION_FINALIZER, KINDS, isKind, objectKey, setOwnKey } from '@shoal/api';
import { checkTimestamp, invalid, mustValidate } from './apply-common.js';
import type { CreateCommand } from './commands.js';
import { AlreadyExistsError, ForbiddenError, NotFoundError } from './errors.js';
import type { StoredObject } from './object-table.js';
import { allocateForCreate } from './services.js';
import type { Writer } from './writer.js';

/** Secret.stringData is write-only: its values are merged into data, base64-encoded. */
export function mergeStringData(o: KubeObject): void {
  const s = o as KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> };
  if (s.kind !== 'Secret' || !s.stringData) return;
  const data = { ...(s.data ?? {}) };
  for (const [k, v] of Object.entries(s.stringData)) {
    if (typeof v === 'string') setOwnKey(data, k, Buffer.from(v, 'utf8').toString('base64'));
  }
  s.data = data;
  delete s.stringData;
}

/**
 * Status is the system's report, not the creator's, so create starts it
 * afresh as Kubernetes does: Pending for pods, Active for namespaces, empty
 * for the rest. Nodes are the exception: their agent registers them with
 * capacity and conditions in one write.
 */
function resetStatus(o: KubeObject): void {
  if (o.kind === 'Node') return;
  if (o.kind === 'Pod') o.status = { phase: 'Pending' } satisfies PodStatus;
  else if (o.kind === 'Namespace') o.status = { phase: 'Active' };
  else if (o.kind === 'PersistentVolumeClaim') o.status = { phase: 'Pending' };
  else delete o.status;
}

/** Server-side finalizers: a claim stays while a pod uses it and until its node removed the volume. */
export function addServerFinalizers(o: KubeObject): void {
  if (o.kind !== 'PersistentVolumeClaim') return;
  const f = o.metadata.finalizers ?? [];
  if (!f.includes(CLAIM_PROTECTION_FINALIZER)) o.metadata.finalizers = [...f, CLAIM_PROTECTION_FINALIZER];
}

/** Namespaced objects need a live namespace. */
export function checkNamespace(w: Writer, namespace: string, forKind: string): void {
  if (!namespace || !isKind(forKind) || !KINDS[forKind].namespaced) return;
  const ns = w.get({ kind: 'Namespace', namespace: '', name: namespace });
  if (!ns) throw new NotFoundError({ kind: 'Namespace', namespace: '', name: namespace });
  if (ns.metadata.deletionTimestamp) {
    throw new ForbiddenError({ kind: 'Namespace', namespace: '', name: namespace }, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

export function applyCreate(w: Writer, cmd: CreateCommand): StoredObject {
  const timestamp = checkTimestamp(cmd.timestamp);
  if (typeof cmd.uid !== 'string' || cmd.uid === '') throw invalid(undefined, '(command).uid', 'Required value', 'Required');
  if (typeof cmd.object !== 'object' || cmd.object === null) throw invalid(undefined, '(command).object', 'Required value', 'Required');
  const o = applyDefaults(cmd.object);
  if (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata)) {
    throw invalid(undefined, 'metadata', 'Required value', 'Required');
  }
  const m = o.metadata;
  if (!m.name && m.generateName) {
    if (!cmd.nameSuffix) throw invalid(undefined, 'metadata.name', 'Required value: generateName needs a name suffix chosen by the leader', 'Required');
    m.name = `${m.generateName}${cmd.nameSuffix}`;
  }
  // Fields only the server sets.
  m.uid = cmd.uid;
  m.creationTimestamp = timestamp;
  m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  mergeStringData(o);
  resetStatus(o);
  addServerFinalizers(o);
  mustValidate(w, undefined, o);
  const key = objectKey(o);
  checkNamespace(w, key.namespace, o.kind);
  if (w.get(key)) throw new AlreadyExistsError(key);
  if (w.table.getByUid(cmd.uid)) throw invalid(key, 'metadata.uid', `Duplicate value: ${JSON.stringify(cmd.uid)}`, 'Duplicate');
  // Allocation comes last: nothing after it can fail, so nothing leaks.
  if (o.kind === 'Service') allocateForCreate(w, key, o.spec as ServiceSpec);
  return w.commit('ADDED', o);
}
