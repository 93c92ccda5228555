/**
 * Volumes that live on one node. A StatefulSet pod's claim is a named Docker
 * volume on the node where it was first created; the pod must go back there.
 *
 * How the scheduler learns where a volume lives (all are honoured, the claim first):
 * - the claim's annotation `volume.kubernetes.io/selected-node` (when the
 *   caller passes the claims, as the leader does): set by the volume-claim
 *   controller from the first pod placed with it, and kept while the node is
 *   gone (the pod then stays Pending with a reason until the node returns or
 *   the user deletes the claim);
 * - `node.status.volumes`: the node's agent reports the volumes it holds,
 *   either as Docker volume names "shoal-pv-<namespace>-<claimName>" (the
 *   runtime's naming) or as "<namespace>/<claimName>" (see `volumeId`);
 * - a pod placed earlier in the same pass with the same claim;
 * - the pod annotation `shoal.io/volume-node: <node>`, for callers that pin
 *   a pod by hand.
 */
import type { Node, Pod } from '@shoal/api';

export const VOLUME_NODE_ANNOTATION = 'shoal.io/volume-node';

export function volumeId(namespace: string, claimName: string): string {
  return `${namespace}/${claimName}`;
}

/** The Docker volume of a claim, as @shoal/runtime names it. */
export function dockerVolumeName(namespace: string, claimName: string): string {
  return `shoal-pv-${namespace}-${claimName}`;
}

/** The pod's persistent claims: their id and the Docker volume name each may be reported under. */
export function claimsOf(pod: Pod): { id: string; docker: string }[] {
  const ns = pod.metadata.namespace ?? 'default';
  const out: { id: string; docker: string }[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push({ id: volumeId(ns, v.persistentVolumeClaim.claimName), docker: dockerVolumeName(ns, v.persistentVolumeClaim.claimName) });
  }
  return out;
}

export function volumeIdsOf(node: Node): readonly string[] {
  return node.status?.volumes ?? [];
}
