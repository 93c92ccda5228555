/**
 * Garbage collection by ownerReferences, per object:
 * - an object whose owners are all gone (no object with the referenced uid)
 *   is deleted; references to gone owners are dropped when others remain;
 * - an owner being deleted with the `foregroundDeletion` finalizer has its
 *   dependents deleted first, then loses the finalizer (and goes);
 * - with the `orphan` finalizer its dependents lose the reference instead.
 */
import { KINDS, type Action, type Event, type KubeObject, type Kind, type ObjectKey, type ObjectReader, type OwnerReference } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { keyOf } from './util/keys.js';
import { isTerminating } from './util/pods.js';
import { ms } from './util/time.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

function ownerExists(view: ObjectReader, obj: KubeObject, ref: OwnerReference): boolean {
  const scope = KINDS[ref.kind as Kind];
  const namespace = scope && !scope.namespaced ? '' : (obj.metadata.namespace ?? '');
  const owner = view.get({ kind: ref.kind, namespace, name: ref.name });
  return !!owner && owner.metadata.uid === ref.uid;
}

/** Objects holding an ownerReference to `owner` (same namespace, or anywhere for cluster-scoped owners). */
export function dependentsOf(view: ObjectReader, owner: KubeObject): KubeObject[] {
  const uid = owner.metadata.uid;
  if (!uid) return [];
  const ns = owner.metadata.namespace;
  const out: KubeObject[] = [];
  for (const kind of Object.keys(KINDS) as Kind[]) {
    if (ns && !KINDS[kind].namespaced) continue;
    for (const o of view.list(kind, ns ? { namespace: ns } : {})) {
      if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push(o);
    }
  }
  return out;
}

function withoutRefs(obj: KubeObject, drop: (r: OwnerReference) => boolean): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: (obj.metadata.ownerReferences ?? []).filter((r) => !drop(r)) } };
}

function withoutFinalizer(obj: KubeObject, f: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, finalizers: (obj.metadata.finalizers ?? []).filter((x) => x !== f) } };
}

/**
 * The objects reconcileGarbage can act on: those with owners, those being
 * deleted (orphan and foreground finalizers) and Events (their TTL). Any
 * other object is only looked at when a change to its owner maps to it, so
 * a store of many plain objects (ConfigMaps) costs the collector nothing.
 */
export function garbageCandidate(obj: KubeObject): boolean {
  return obj.kind === 'Event' || (obj.metadata.ownerReferences?.length ?? 0) > 0 || obj.metadata.deletionTimestamp !== undefined;
}

export function reconcileGarbage(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const obj = view.get(key);
  if (!obj) return { actions: [] };
  if (obj.kind === 'Event' && ctx.config.eventTtlMs > 0) {
    const e = obj as Event;
    const at = (ms(e.lastTimestamp) ?? ms(e.metadata.creationTimestamp) ?? ctx.now) + ctx.config.eventTtlMs;
    if (ctx.now >= at) return { actions: [{ op: 'delete', key, uid: obj.metadata.uid }] };
    return { actions: [], requeueAfterMs: at - ctx.now };
  }
  const actions: Action[] = [];
  const finalizers = obj.metadata.finalizers ?? [];

  if (isTerminating(obj) && finalizers.includes(ORPHAN_FINALIZER)) {
    const deps = dependentsOf(view, obj);
    for (const d of deps) actions.push({ op: 'update', object: withoutRefs(d, (r) => r.uid === obj.metadata.uid) });
    if (deps.length === 0) actions.push({ op: 'update', object: withoutFinalizer(obj, ORPHAN_FINALIZER) });
    return { actions };
  }
  if (isTerminating(obj) && finalizers.includes(FOREGROUND_FINALIZER)) {
    const deps = dependentsOf(view, obj);
    for (const d of deps) {
      if (!isTerminating(d)) actions.push({ op: 'delete', key: keyOf(d), uid: d.metadata.uid, propagationPolicy: 'Foreground' });
    }
    // Only when every dependent is really gone may the owner go.
    if (deps.length === 0) actions.push({ op: 'update', object: withoutFinalizer(obj, FOREGROUND_FINALIZER) });
    return { actions };
  }

  const refs = obj.metadata.ownerReferences ?? [];
  if (refs.length === 0 || isTerminating(obj)) return { actions: [] };
  const gone = refs.filter((r) => !ownerExists(view, obj, r));
  if (gone.length === 0) return { actions: [] };
  if (gone.length === refs.length) return { actions: [{ op: 'delete', key: keyOf(obj), uid: obj.metadata.uid, propagationPolicy: 'Background' }] };
  return { actions: [{ op: 'update', object: withoutRefs(obj, (r) => gone.includes(r)) }] };
}
