/** Everything about one pending pod the filters and scores need, computed once per placement. */
import type { Pod } from '@shoal/api';
import { hostPortsOf, controllerUid, type ClusterState, type HostPort } from './node-state.js';
import { buildPodAffinityContext, type PodAffinityContext } from './pod-affinity.js';
import { cachedPodRequests, type Resources } from './resources.js';
import { buildSpreadContext, type SpreadContext } from './topology-spread.js';
import { VOLUME_NODE_ANNOTATION } from './volumes.js';

export interface PodContext {
  pod: Pod;
  requests: Resources;
  hostPorts: HostPort[];
  /** Nodes the pod's volumes pin it to (all must agree), with the reason shown when they don't. */
  volumePins: { node: string; claim: string }[];
  affinity: PodAffinityContext | undefined;
  spread: SpreadContext | undefined;
  owner: string | undefined;
}

export function buildPodContext(state: ClusterState, pod: Pod): PodContext {
  const volumePins = state.pinnedClaims(pod);
  const annotated = pod.metadata.annotations?.[VOLUME_NODE_ANNOTATION];
  if (annotated) volumePins.push({ node: annotated, claim: '' });
  return {
    pod,
    requests: cachedPodRequests(pod),
    hostPorts: hostPortsOf(pod),
    volumePins,
    affinity: buildPodAffinityContext(state, pod),
    spread: buildSpreadContext(state, pod),
    owner: controllerUid(pod),
  };
}
