/** A pod's containers grouped by name, newest attempt first. */
import type { ContainerInfo, SandboxInfo } from '@shoal/runtime';

export interface ContainerHistory {
  /** The newest attempt. */
  current?: ContainerInfo;
  /** The attempt before it (for lastState and `logs --previous`). */
  previous?: ContainerInfo;
  /** Older attempts, to garbage-collect. */
  older: ContainerInfo[];
}

export function historyByName(containers: readonly ContainerInfo[]): Map<string, ContainerHistory> {
  const groups = new Map<string, ContainerInfo[]>();
  for (const c of containers) {
    const g = groups.get(c.name) ?? [];
    g.push(c);
    groups.set(c.name, g);
  }
  const out = new Map<string, ContainerHistory>();
  for (const [name, list] of groups) {
    list.sort((a, b) => b.attempt - a.attempt || (b.createdAt < a.createdAt ? -1 : 1));
    const h: ContainerHistory = { older: list.slice(2) };
    if (list[0]) h.current = list[0];
    if (list[1]) h.previous = list[1];
    out.set(name, h);
  }
  return out;
}

/** The newest running sandbox, and every other one (to remove). */
export function splitSandboxes(sandboxes: readonly SandboxInfo[]): { live?: SandboxInfo; stale: SandboxInfo[]; maxAttempt: number } {
  const sorted = [...sandboxes].sort((a, b) => b.attempt - a.attempt);
  const newest = sorted[0];
  const live = newest?.state === 'running' ? newest : undefined;
  const out: { live?: SandboxInfo; stale: SandboxInfo[]; maxAttempt: number } = {
    stale: sorted.filter((s) => s !== live),
    maxAttempt: newest ? newest.attempt : -1,
  };
  if (live) out.live = live;
  return out;
}
