/**
 * PersistentVolumeClaims. A claim is one named Docker volume on one node:
 * - placement: the claim records the node of the first pod using it that the
 *   scheduler placed (annotation `volume.kubernetes.io/selected-node`) and
 *   turns Bound; from then on the scheduler keeps every pod using it there;
 * - protection: a claim being deleted keeps its finalizer while a pod placed
 *   on a node still uses it (Kubernetes' pvc-protection), then loses it and
 *   goes. The volume itself is removed by the agent of the node holding it
 *   once no claim with its uid exists (at once if the node is up, or when it
 *   comes back), so deleting a claim never waits for a dead node.
 */
import { CLAIM_PROTECTION_FINALIZER, SELECTED_NODE_ANNOTATION, type Action, type ObjectKey, type ObjectReader, type PersistentVolumeClaim, type Pod } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { eventAction } from './util/events.js';
import { isTerminating } from './util/pods.js';

/** Pods of the claim's namespace that mount it, sorted by name. */
export function podsUsingClaim(view: ObjectReader, namespace: string, claim: string): Pod[] {
  return view
    .list<Pod>('Pod', { namespace })
    .filter((p) => (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** Claims a pod mounts, as keys. */
export function claimKeysOf(pod: Pod): ObjectKey[] {
  const ns = pod.metadata.namespace ?? 'default';
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [{ kind: 'PersistentVolumeClaim', namespace: ns, name: v.persistentVolumeClaim.claimName }] : []));
}

export function reconcileVolumeClaim(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const claim = view.get<PersistentVolumeClaim>(key);
  if (!claim) return { actions: [] };
  const ns = claim.metadata.namespace ?? 'default';
  const users = podsUsingClaim(view, ns, claim.metadata.name);
  const node = claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION];

  if (!isTerminating(claim)) {
    if (!node) {
      const placed = users.find((p) => p.spec?.nodeName);
      if (!placed) return { actions: [] };
      const annotations = { ...(claim.metadata.annotations ?? {}), [SELECTED_NODE_ANNOTATION]: placed.spec!.nodeName! };
      return { actions: [{ op: 'update', object: { ...claim, metadata: { ...claim.metadata, annotations } } }] };
    }
    if (claim.status?.phase === 'Bound') return { actions: [] };
    const accessModes = claim.spec?.accessModes ?? ['ReadWriteOnce'];
    const storage = claim.spec?.resources?.requests?.storage;
    return { actions: [{ op: 'updateStatus', object: { ...claim, status: { phase: 'Bound', accessModes, ...(storage ? { capacity: { storage } } : {}) } } }] };
  }

  if (!(claim.metadata.finalizers ?? []).includes(CLAIM_PROTECTION_FINALIZER)) return { actions: [] };
  // A pod placed on a node may have (or be about to have) a container with the volume mounted.
  const inUse = users.filter((p) => p.spec?.nodeName);
  if (inUse.length > 0) return { actions: [] };
  const actions: Action[] = [{ op: 'removeFinalizers', key, finalizers: [CLAIM_PROTECTION_FINALIZER], ...(claim.metadata.uid ? { uid: claim.metadata.uid } : {}) }];
  if (node) actions.push(...eventAction(view, ctx, claim, 'Normal', 'VolumeReleased', `no pod uses the claim; node ${node} removes its volume`));
  return { actions };
}
