/**
 * Containers and sandboxes of pods this node should no longer run (deleted,
 * or bound elsewhere): stop them with the grace their labels recorded, then
 * remove them and the pod's emptyDir volumes.
 */
import { LABEL_GRACE, type ContainerInfo, type SandboxInfo } from '@shoal/runtime';

export type OrphanAction =
  | { type: 'killContainer'; containerId: string; graceSeconds: number }
  | { type: 'removeContainer'; containerId: string }
  | { type: 'killSandbox'; sandboxId: string; graceSeconds: number }
  | { type: 'removeSandbox'; sandboxId: string }
  | { type: 'cleanupPod' };

function grace(labels: Record<string, string>): number {
  const g = Number(labels[LABEL_GRACE]);
  return Number.isFinite(g) && g >= 0 ? g : 30;
}

/** Pod uids seen in the runtime but not desired, each with its steps. */
export function orphanPlan(desired: ReadonlySet<string>, sandboxes: readonly SandboxInfo[], containers: readonly ContainerInfo[]): Map<string, OrphanAction[]> {
  const plans = new Map<string, OrphanAction[]>();
  const plan = (uid: string) => {
    let p = plans.get(uid);
    if (!p) { p = []; plans.set(uid, p); }
    return p;
  };
  for (const c of containers) {
    if (desired.has(c.pod.uid)) continue;
    if (c.state === 'running') plan(c.pod.uid).push({ type: 'killContainer', containerId: c.id, graceSeconds: grace(c.labels) });
  }
  for (const s of sandboxes) {
    if (desired.has(s.pod.uid)) continue;
    if (s.state === 'running') plan(s.pod.uid).push({ type: 'killSandbox', sandboxId: s.id, graceSeconds: grace(s.labels) });
  }
  for (const c of containers) if (!desired.has(c.pod.uid)) plan(c.pod.uid).push({ type: 'removeContainer', containerId: c.id });
  for (const s of sandboxes) if (!desired.has(s.pod.uid)) plan(s.pod.uid).push({ type: 'removeSandbox', sandboxId: s.id });
  for (const p of plans.values()) p.push({ type: 'cleanupPod' });
  return plans;
}
