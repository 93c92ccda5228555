/**
 * Resource arithmetic: what a pod requests and what a node offers, in
 * millicores and bytes. Requests default to limits, as in Kubernetes.
 */
import { cpuMillis, memoryBytes, type Container, type Node, type Pod, type ResourceList } from '@shoal/api';

export interface Resources {
  cpu: number;
  memory: number;
}

/** Used when scoring pods that request nothing, so they still spread (Kubernetes' non-zero defaults). */
export const DEFAULT_SCORING_CPU = 100;
export const DEFAULT_SCORING_MEMORY = 200 * 1024 * 1024;

/** Pods per node when the node does not say. */
export const DEFAULT_MAX_PODS = 110;

function containerRequests(c: Container): Resources {
  const req: ResourceList = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) };
  return {
    cpu: req.cpu === undefined ? 0 : cpuMillis(req.cpu),
    memory: req.memory === undefined ? 0 : memoryBytes(req.memory),
  };
}

// Objects from the view are never mutated, so a pod's requests can be cached by identity.
const requestsCache = new WeakMap<Pod, Resources>();

/** `podRequests`, parsed once per pod object. */
export function cachedPodRequests(pod: Pod): Resources {
  let r = requestsCache.get(pod);
  if (!r) requestsCache.set(pod, (r = podRequests(pod)));
  return r;
}

/**
 * The pod's effective request: app containers plus native sidecars, or the
 * largest ordinary init container (plus the sidecars started before it) if larger.
 */
export function podRequests(pod: Pod): Resources {
  const total: Resources = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) {
    const r = containerRequests(c);
    total.cpu += r.cpu;
    total.memory += r.memory;
  }
  const sidecars: Resources = { cpu: 0, memory: 0 };
  const initPeak: Resources = { cpu: 0, memory: 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      sidecars.cpu += r.cpu;
      sidecars.memory += r.memory;
    } else {
      initPeak.cpu = Math.max(initPeak.cpu, sidecars.cpu + r.cpu);
      initPeak.memory = Math.max(initPeak.memory, sidecars.memory + r.memory);
    }
  }
  return {
    cpu: Math.max(total.cpu + sidecars.cpu, initPeak.cpu),
    memory: Math.max(total.memory + sidecars.memory, initPeak.memory),
  };
}

export interface Allocatable extends Resources {
  pods: number;
}

export function nodeAllocatable(node: Node): Allocatable {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    cpu: a.cpu === undefined ? 0 : cpuMillis(a.cpu),
    memory: a.memory === undefined ? 0 : memoryBytes(a.memory),
    pods: a.pods === undefined ? DEFAULT_MAX_PODS : Math.floor(Number(a.pods)),
  };
}

/** Pods that no longer hold resources on their node. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
