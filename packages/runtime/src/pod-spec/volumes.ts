/**
 * Where each pod volume lives on the node, and what the agent must prepare
 * before a container can mount it. Pure: the agent does the I/O.
 *   emptyDir                -> a per-pod Docker volume (tmpfs-backed for medium Memory)
 *   configMap, secret       -> files under <dataDir>/pods/<uid>/volumes/<name>, bind-mounted read-only
 *   hostPath                -> a bind mount of the host path
 *   persistentVolumeClaim   -> the named Docker volume shoal-pv-<namespace>-<claim>
 */
import type { KeyToPath, Pod, Volume, VolumeMount } from '@shoal/api';
import { ContainerConfigError } from '../errors.js';
import type { Mount } from '../runtime.js';
import type { ConfigResolver } from './env.js';

export interface VolumeFile {
  /** Relative to the volume's directory. */
  path: string;
  content: string;
  mode: number;
}

export type VolumePlan =
  | { name: string; kind: 'dockerVolume'; volume: string; tmpfs: boolean; persistent: boolean }
  | { name: string; kind: 'files'; hostDir: string; files: VolumeFile[] }
  | { name: string; kind: 'hostPath'; hostDir: string };

export function emptyDirVolumeName(podUid: string, volume: string): string {
  return `shoal-ed-${podUid}-${volume}`;
}

export function persistentVolumeName(namespace: string, claim: string): string {
  return `shoal-pv-${namespace}-${claim}`;
}

export function podDir(dataDir: string, podUid: string): string {
  return `${dataDir}/pods/${podUid}`;
}

function projected(data: Record<string, string>, items: KeyToPath[] | undefined, defaultMode: number, what: string): VolumeFile[] {
  if (!items) return Object.entries(data).map(([k, v]) => ({ path: k, content: v, mode: defaultMode }));
  return items.map((it) => {
    const v = data[it.key];
    if (v === undefined) throw new ContainerConfigError(`${what} has no key ${it.key}`);
    return { path: it.path, content: v, mode: it.mode ?? defaultMode };
  });
}

function safeRelative(p: string, what: string): string {
  if (p.startsWith('/') || p.split('/').includes('..')) throw new ContainerConfigError(`${what}: path ${p} must be relative, without ..`);
  return p;
}

export function planVolume(pod: Pod, v: Volume, dataDir: string, resolver: ConfigResolver): VolumePlan {
  const uid = pod.metadata.uid ?? '';
  const ns = pod.metadata.namespace ?? 'default';
  const dir = `${podDir(dataDir, uid)}/volumes/${v.name}`;
  if (v.emptyDir) return { name: v.name, kind: 'dockerVolume', volume: emptyDirVolumeName(uid, v.name), tmpfs: v.emptyDir.medium === 'Memory', persistent: false };
  if (v.persistentVolumeClaim) return { name: v.name, kind: 'dockerVolume', volume: persistentVolumeName(ns, v.persistentVolumeClaim.claimName), tmpfs: false, persistent: true };
  if (v.hostPath) return { name: v.name, kind: 'hostPath', hostDir: v.hostPath.path };
  if (v.configMap) {
    const what = `ConfigMap ${v.configMap.name}`;
    const data = resolver.configMap(ns, v.configMap.name);
    if (!data && !v.configMap.optional) throw new ContainerConfigError(`volume ${v.name}: ${what} not found`);
    const files = projected(data ?? {}, v.configMap.items, v.configMap.defaultMode ?? 0o644, what);
    return { name: v.name, kind: 'files', hostDir: dir, files: files.map((f) => ({ ...f, path: safeRelative(f.path, what) })) };
  }
  if (v.secret) {
    const what = `Secret ${v.secret.secretName}`;
    const data = resolver.secret(ns, v.secret.secretName);
    if (!data && !v.secret.optional) throw new ContainerConfigError(`volume ${v.name}: ${what} not found`);
    const files = projected(data ?? {}, v.secret.items, v.secret.defaultMode ?? 0o644, what);
    return { name: v.name, kind: 'files', hostDir: dir, files: files.map((f) => ({ ...f, path: safeRelative(f.path, what) })) };
  }
  throw new ContainerConfigError(`volume ${v.name}: no supported source (emptyDir, configMap, secret, hostPath, persistentVolumeClaim)`);
}

export function planVolumes(pod: Pod, dataDir: string, resolver: ConfigResolver): VolumePlan[] {
  return (pod.spec?.volumes ?? []).map((v) => planVolume(pod, v, dataDir, resolver));
}

/** A container's mounts given the pod's volume plans. */
export function containerMounts(mounts: VolumeMount[] | undefined, plans: readonly VolumePlan[], pod: Pod): Mount[] {
  return (mounts ?? []).map((vm) => {
    const plan = plans.find((p) => p.name === vm.name);
    if (!plan) throw new ContainerConfigError(`volumeMount ${vm.mountPath}: no volume named ${vm.name}`);
    const ro = vm.readOnly ?? false;
    if (plan.kind === 'dockerVolume') {
      if (vm.subPath) throw new ContainerConfigError(`volumeMount ${vm.mountPath}: subPath is not supported on emptyDir or persistent volumes`);
      const pvc = pod.spec?.volumes?.find((v) => v.name === vm.name)?.persistentVolumeClaim;
      return { type: 'volume', source: plan.volume, target: vm.mountPath, readOnly: ro || (pvc?.readOnly ?? false) };
    }
    const sub = vm.subPath ? `/${safeRelative(vm.subPath, `volumeMount ${vm.mountPath}`)}` : '';
    // ConfigMap and Secret volumes are always read-only, as in Kubernetes.
    return { type: 'bind', source: `${plan.hostDir}${sub}`, target: vm.mountPath, readOnly: plan.kind === 'files' ? true : ro };
  });
}
