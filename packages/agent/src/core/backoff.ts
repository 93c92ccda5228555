/**
 * CrashLoopBackOff, derived from what the runtime shows so it survives an
 * agent restart: the first restart is immediate, the next waits `base`, then
 * doubling up to `max`. A container that ran `reset` or longer before it
 * ended restarts at once, as Kubernetes forgets back-off after a quiet spell.
 */
import type { ContainerInfo } from '@shoal/runtime';
import type { CoreConfig } from './types.js';

export function parseTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Delay before restarting after `last` ended; `last.attempt` restarts happened before it. */
export function restartDelayMs(last: ContainerInfo, cfg: CoreConfig): number {
  const started = parseTime(last.startedAt);
  const finished = parseTime(last.finishedAt);
  if (started !== undefined && finished !== undefined && finished - started >= cfg.backoffResetMs) return 0;
  if (last.attempt === 0) return 0;
  return Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * 2 ** (last.attempt - 1));
}

/** When the container may restart (ms since epoch). */
export function restartAt(last: ContainerInfo, cfg: CoreConfig, now: number): number {
  const finished = parseTime(last.finishedAt) ?? now;
  return finished + restartDelayMs(last, cfg);
}
