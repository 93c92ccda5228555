/**
 * From a pod and one of its containers to the runtime's `ContainerSpec` and
 * `SandboxSpec`. Kubernetes semantics: `command` replaces the image's
 * ENTRYPOINT, `args` replaces its CMD; `$(VAR)` in them expands from the
 * container's environment.
 */
import type { Container, Pod } from '@shoal/api';
import type { ContainerSpec, DnsConfig, PodRef, PortMapping, SandboxSpec } from '../runtime.js';
import { LABEL_KIND, LABEL_SPEC_HASH } from '../labels.js';
import { cgroupResources } from './resources.js';
import { containerEnv, envMap, expandVars, type EnvContext } from './env.js';
import { containerMounts, type VolumePlan } from './volumes.js';

export type ContainerKind = 'init' | 'sidecar' | 'app';

export function podRef(pod: Pod): PodRef {
  return { uid: pod.metadata.uid ?? '', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name };
}

/** Seconds between SIGTERM and SIGKILL for the pod (deletion may shorten it). */
export function terminationGraceSeconds(pod: Pod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

/** FNV-1a, 32 bits, hex: a short stable fingerprint of a container's spec. */
export function specHash(c: Container): string {
  const s = JSON.stringify(c);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export interface ContainerSpecInput {
  kind: ContainerKind;
  attempt: number;
  nodeName: string;
  env: EnvContext;
  volumes: readonly VolumePlan[];
}

export function buildContainerSpec(pod: Pod, c: Container, input: ContainerSpecInput): ContainerSpec {
  const env = containerEnv(pod, c, { ...input.env, nodeName: input.nodeName });
  const vars = envMap(env);
  const spec: ContainerSpec = {
    pod: podRef(pod),
    nodeName: input.nodeName,
    name: c.name,
    attempt: input.attempt,
    image: c.image,
    env,
    mounts: containerMounts(c.volumeMounts, input.volumes, pod),
    resources: cgroupResources(c.resources),
    terminationGraceSeconds: terminationGraceSeconds(pod),
    labels: { [LABEL_KIND]: input.kind, [LABEL_SPEC_HASH]: specHash(c) },
  };
  if (c.command) spec.entrypoint = c.command.map((a) => expandVars(a, vars));
  if (c.args) spec.cmd = c.args.map((a) => expandVars(a, vars));
  // Kubernetes: `command` without `args` drops the image's CMD too.
  else if (c.command) spec.cmd = [];
  if (c.workingDir) spec.workingDir = c.workingDir;
  if (c.tty) spec.tty = true;
  if (c.stdin) spec.stdin = true;
  return spec;
}

/** Every hostPort of every container, published on the sandbox. */
export function podPortMappings(pod: Pod): PortMapping[] {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const out: PortMapping[] = [];
  for (const c of all) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const m: PortMapping = { containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol ?? 'TCP' };
      if (p.hostIP) m.hostIP = p.hostIP;
      out.push(m);
    }
  }
  return out;
}

/** The pod's hostname: spec.hostname, else the pod name (cut to a DNS label). */
export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname ?? pod.metadata.name).slice(0, 63);
}

export function buildSandboxSpec(pod: Pod, input: { nodeName: string; attempt: number; dns?: DnsConfig }): SandboxSpec {
  const spec: SandboxSpec = {
    pod: podRef(pod),
    nodeName: input.nodeName,
    attempt: input.attempt,
    hostname: podHostname(pod),
    portMappings: podPortMappings(pod),
    terminationGraceSeconds: terminationGraceSeconds(pod),
  };
  if (pod.spec?.hostNetwork) spec.hostNetwork = true;
  else if (input.dns) spec.dns = input.dns;
  return spec;
}
