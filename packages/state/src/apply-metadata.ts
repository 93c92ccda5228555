/** bind (the scheduler's write) and patchMetadata (finalizers, owners, labels). */
import type { KubeObject, OwnerReference, PodSpec } from '@shoal/api';
import { setOwnKey } from '@shoal/api';
import { checkPreconditions, finishDeletion, invalid, mustValidate, normalizeKey } from './apply-common.js';
import type { BindCommand, PatchMetadataCommand } from './commands.js';
import { ConflictError, NotFoundError } from './errors.js';
import type { StoredObject } from './object-table.js';
import { deepEqual } from './plain-data.js';
import type { Writer } from './writer.js';

export function applyBind(w: Writer, cmd: BindCommand): StoredObject {
  const key = cmd.key;
  if (!key || key.kind !== 'Pod') throw invalid(key, '(command).key.kind', 'Unsupported value: only pods can be bound', 'Unsupported');
  if (typeof cmd.nodeName !== 'string' || cmd.nodeName === '') throw invalid(key, 'target.name', 'Required value', 'Required');
  const cur = w.get(normalizeKey(key));
  if (!cur) throw new NotFoundError(key);
  checkPreconditions(key, cur, cmd.uid, undefined);
  const spec = cur.spec as PodSpec;
  // A pod runs on one node for its whole life: binding twice is a conflict, never a move.
  if (spec.nodeName) throw new ConflictError(key, `pod is already bound to node ${spec.nodeName}`);
  if (cur.metadata.deletionTimestamp) throw new ConflictError(key, 'pod is being deleted');
  const next: KubeObject = { ...cur, metadata: { ...cur.metadata }, spec: { ...spec, nodeName: cmd.nodeName } };
  return w.commit('MODIFIED', next, cur);
}

function patchMap(cur: Readonly<Record<string, string>> | undefined, patch: Record<string, string | null> | undefined): Record<string, string> | undefined {
  if (!patch) return cur;
  const out: Record<string, string> = { ...(cur ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwnKey(out, k, v);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function applyPatchMetadata(w: Writer, cmd: PatchMetadataCommand): StoredObject {
  const key = cmd.key;
  if (!key || typeof key.kind !== 'string') throw invalid(undefined, '(command).key', 'Required value', 'Required');
  const cur = w.get(normalizeKey(key));
  if (!cur) throw new NotFoundError(key);
  checkPreconditions(key, cur, cmd.uid, cmd.resourceVersion);
  const m = { ...cur.metadata };
  const set = <K extends keyof typeof m>(f: K, v: (typeof m)[K] | undefined): void => {
    if (v === undefined) delete m[f];
    else m[f] = v;
  };
  set('labels', patchMap(cur.metadata.labels, cmd.labels));
  set('annotations', patchMap(cur.metadata.annotations, cmd.annotations));
  let finalizers = [...(cur.metadata.finalizers ?? [])];
  if (cmd.addFinalizers) {
    if (cur.metadata.deletionTimestamp && cmd.addFinalizers.some((f) => !finalizers.includes(f))) {
      throw invalid(key, 'metadata.finalizers', 'Forbidden: no new finalizers can be added if the object is being deleted', 'Forbidden');
    }
    for (const f of cmd.addFinalizers) if (!finalizers.includes(f)) finalizers.push(f);
  }
  if (cmd.removeFinalizers) finalizers = finalizers.filter((f) => !cmd.removeFinalizers?.includes(f));
  set('finalizers', finalizers.length > 0 ? finalizers : undefined);
  let refs: OwnerReference[] = [...(cur.metadata.ownerReferences ?? [])];
  if (cmd.removeOwnerUids) refs = refs.filter((r) => !cmd.removeOwnerUids?.includes(r.uid));
  // Copies: stored objects are frozen, and the command's own objects must stay the caller's.
  for (const r of cmd.addOwnerReferences ?? []) refs = [...refs.filter((x) => x.uid !== r.uid), { ...r }];
  set('ownerReferences', refs.length > 0 ? refs : undefined);
  const next: KubeObject = { ...cur, metadata: m };
  mustValidate(w, key, next);
  if (deepEqual(next, cur)) return finishDeletion(w, cur);
  return finishDeletion(w, w.commit('MODIFIED', next, cur));
}
