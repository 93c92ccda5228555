/** Pod states as the controllers judge them. */
import type { KubeObject, Pod, PodTemplateSpec } from '@shoal/api';
import { deepCopy } from './hash.js';
import { ownerRefTo } from './owners.js';
import { ms } from './time.js';

export function isTerminating(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined;
}

export function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Neither terminating nor finished: it counts toward replicas. */
export function isActive(pod: Pod): boolean {
  return !isTerminating(pod) && !isFinished(pod);
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** When the pod last became Ready (ms), if it is ready. */
export function readySince(pod: Pod): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  return c ? (ms(c.lastTransitionTime) ?? 0) : undefined;
}

/** Ready for at least minReadySeconds. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const since = readySince(pod);
  if (since === undefined || isTerminating(pod)) return false;
  return minReadySeconds <= 0 || since + minReadySeconds * 1000 <= now;
}

/** ms until a ready pod becomes available, or undefined if it is not ready or already available. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  const since = readySince(pod);
  if (since === undefined || minReadySeconds <= 0) return undefined;
  const at = since + minReadySeconds * 1000;
  return at > now ? at - now : undefined;
}

export interface PodFromTemplate {
  name: string;
  namespace: string;
  owner: KubeObject;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A new pod from a template, controlled by `owner`. The template is copied, never shared. */
export function podFromTemplate(template: PodTemplateSpec, o: PodFromTemplate): Pod {
  const t = deepCopy(template);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(o.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}), ...(o.annotations ?? {}) },
      ownerReferences: [ownerRefTo(o.owner)],
    },
    spec: t.spec,
  };
}

/** Creation time in ms (0 when unknown), for "newest first" orderings. */
export function createdAt(obj: KubeObject): number {
  return ms(obj.metadata.creationTimestamp) ?? 0;
}
