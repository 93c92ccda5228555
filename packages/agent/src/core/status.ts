/** Pieces of a pod's status: container states and conditions. */
import type { Condition, ContainerState, ContainerStateTerminated, PodStatus } from '@shoal/api';
import type { ContainerInfo } from '@shoal/runtime';

/** Kubernetes' terminated reasons: OOMKilled wins, then Completed (exit 0) or Error. */
export function terminatedReason(c: ContainerInfo): string {
  if (c.oomKilled) return 'OOMKilled';
  return c.exitCode === 0 ? 'Completed' : 'Error';
}

export function terminatedState(c: ContainerInfo, scheme: string): ContainerState {
  const t: ContainerStateTerminated = { exitCode: c.exitCode ?? 0, reason: terminatedReason(c), containerID: `${scheme}://${c.id}` };
  if (c.startedAt) t.startedAt = c.startedAt;
  if (c.finishedAt) t.finishedAt = c.finishedAt;
  // 128+n exit codes of a signal-killed process carry the signal.
  if ((c.exitCode ?? 0) > 128 && (c.exitCode ?? 0) < 160) t.signal = (c.exitCode ?? 0) - 128;
  return { terminated: t };
}

export function runningState(c: ContainerInfo): ContainerState {
  return c.startedAt ? { running: { startedAt: c.startedAt } } : { running: {} };
}

/** A condition keeping its lastTransitionTime while its status is unchanged. */
export function condition(type: string, ok: boolean, previous: PodStatus | undefined, nowIso: string, reason?: string, message?: string): Condition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.conditions?.find((c) => c.type === type);
  const c: Condition = { type, status, lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : nowIso };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}
