/** Checks shared by the apply functions. */
import type { IssueType, KubeObject, ObjectKey, PodSpec, ValidationIssue } from '@shoal/api';
import { isKind, KINDS, validate } from '@shoal/api';
import { ConflictError, InvalidError, PreconditionError } from './errors.js';
import { keyOf, type StoredObject } from './object-table.js';
import type { Writer } from './writer.js';

export function issue(path: string, type: IssueType, reason: string): ValidationIssue {
  return { path, type, reason };
}

export function invalid(key: ObjectKey | undefined, path: string, reason: string, type: IssueType = 'Invalid'): InvalidError {
  return new InvalidError(key, [issue(path, type, reason)]);
}

/** The key an incoming object addresses; Invalid when kind or name are missing. */
export function keyOfIncoming(o: unknown): ObjectKey {
  if (typeof o !== 'object' || o === null) throw invalid(undefined, '(object)', 'Required value', 'Required');
  const obj = o as Partial<KubeObject>;
  if (typeof obj.kind !== 'string' || !isKind(obj.kind)) throw invalid(undefined, 'kind', `Unsupported value: ${JSON.stringify(obj.kind)}`, 'Unsupported');
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') throw invalid(undefined, 'metadata.name', 'Required value', 'Required');
  const namespace = KINDS[obj.kind].namespaced ? obj.metadata?.namespace || 'default' : '';
  return { kind: obj.kind, namespace, name };
}

/** Refuses a command whose uid or resourceVersion preconditions do not hold. */
export function checkPreconditions(key: ObjectKey, cur: StoredObject, uid: string | undefined, resourceVersion: string | undefined): void {
  if (uid && uid !== cur.metadata.uid) throw new PreconditionError(key, `uid is ${cur.metadata.uid}, not ${uid}`);
  if (resourceVersion && resourceVersion !== cur.metadata.resourceVersion) {
    throw new ConflictError(key, `resourceVersion ${resourceVersion} is stale (now ${cur.metadata.resourceVersion}); the object has been modified, read it again and retry`);
  }
}

export function mustValidate(w: Writer, key: ObjectKey | undefined, o: KubeObject): void {
  const issues = validate(o, { maxObjectBytes: w.config.maxObjectBytes });
  if (issues.length > 0) throw new InvalidError(key, issues);
}

export function checkTimestamp(ts: unknown, field = 'timestamp'): string {
  if (typeof ts !== 'string' || Number.isNaN(Date.parse(ts))) throw invalid(undefined, `(command).${field}`, 'must be an RFC 3339 time chosen by the leader');
  return ts;
}

export const podSpecOf = (o: StoredObject | KubeObject): PodSpec | undefined => (o.kind === 'Pod' ? (o.spec as PodSpec | undefined) : undefined);

/**
 * True when an object marked for deletion may now be removed: no finalizers
 * left, and for a pod on a node, its grace period ended (the node agent sends
 * gracePeriodSeconds 0 once the containers stopped).
 */
export function readyToRemove(w: Writer, o: StoredObject): boolean {
  if (!o.metadata.deletionTimestamp) return false;
  if ((o.metadata.finalizers ?? []).length > 0) return false;
  const spec = podSpecOf(o);
  if (spec?.nodeName && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  // A namespace outlives its contents.
  if (o.kind === 'Namespace' && w.table.namespaceCount(o.metadata.name) > 0) return false;
  return true;
}

/**
 * Removes `o` if its deletion may now finish. `o` must be the stored object;
 * returns the object's last state (removed or not).
 */
export function finishDeletion(w: Writer, o: StoredObject): StoredObject {
  if (w.get(keyOf(o)) !== o || !readyToRemove(w, o)) return o;
  return w.commit('DELETED', { ...o, metadata: { ...o.metadata } });
}

/** A key with the namespace normalised: 'default' for namespaced kinds when empty, '' for cluster-scoped ones. */
export function normalizeKey(k: ObjectKey): ObjectKey {
  const namespaced = isKind(k.kind) ? KINDS[k.kind].namespaced : true;
  return { kind: k.kind, namespace: namespaced ? k.namespace || 'default' : '', name: k.name };
}
