/** Names and labels of the objects a runtime creates (shared by Docker and the fake). */
import {
  LABEL_ATTEMPT, LABEL_CONTAINER_NAME, LABEL_GRACE, LABEL_NODE, LABEL_OWNER, LABEL_POD_NAME,
  LABEL_POD_NAMESPACE, LABEL_POD_UID, LABEL_ROLE, LABEL_HOST_NETWORK, ROLE_CONTAINER, ROLE_SANDBOX,
} from './labels.js';
import type { ContainerSpec, PodRef, SandboxSpec } from './runtime.js';

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
function clean(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

export function sandboxName(owner: string, spec: SandboxSpec): string {
  const p = spec.pod;
  return clean(`shoal_${owner}_${p.namespace}_${p.name}_${p.uid.slice(0, 8)}_POD_${spec.attempt}`);
}

export function containerName(owner: string, spec: ContainerSpec): string {
  const p = spec.pod;
  return clean(`shoal_${owner}_${p.namespace}_${p.name}_${p.uid.slice(0, 8)}_${spec.name}_${spec.attempt}`);
}

function podLabels(owner: string, pod: PodRef, node: string, attempt: number, grace: number): Record<string, string> {
  return {
    [LABEL_OWNER]: owner,
    [LABEL_NODE]: node,
    [LABEL_POD_UID]: pod.uid,
    [LABEL_POD_NAMESPACE]: pod.namespace,
    [LABEL_POD_NAME]: pod.name,
    [LABEL_ATTEMPT]: String(attempt),
    [LABEL_GRACE]: String(grace),
  };
}

export function sandboxLabels(owner: string, spec: SandboxSpec): Record<string, string> {
  return {
    ...spec.labels,
    ...(spec.hostNetwork ? { [LABEL_HOST_NETWORK]: 'true' } : {}),
    ...podLabels(owner, spec.pod, spec.nodeName, spec.attempt, spec.terminationGraceSeconds),
    [LABEL_ROLE]: ROLE_SANDBOX,
    [LABEL_CONTAINER_NAME]: 'POD',
  };
}

export function containerLabels(owner: string, spec: ContainerSpec): Record<string, string> {
  return {
    ...spec.labels,
    ...podLabels(owner, spec.pod, spec.nodeName, spec.attempt, spec.terminationGraceSeconds),
    [LABEL_ROLE]: ROLE_CONTAINER,
    [LABEL_CONTAINER_NAME]: spec.name,
  };
}

export function podRefFromLabels(l: Record<string, string>): PodRef {
  return { uid: l[LABEL_POD_UID] ?? '', namespace: l[LABEL_POD_NAMESPACE] ?? '', name: l[LABEL_POD_NAME] ?? '' };
}

export function attemptFromLabels(l: Record<string, string>): number {
  const n = Number(l[LABEL_ATTEMPT]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
