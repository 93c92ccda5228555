/** One typed config for every controller, with defaults, validated at construction. */

export interface ControllerConfig {
  /**
   * How long a pod without a matching toleration stays on an unreachable node
   * before it is evicted (Kubernetes adds 300 s tolerations by default; the
   * local profile uses a few seconds).
   */
  defaultTolerationSeconds: number;
  /** How long a node may be suspect/dead in gossip before it is marked NotReady (0: at once). */
  nodeMonitorGracePeriodMs: number;
  /**
   * How often node lifecycle re-reads gossip liveness for each node, so a
   * death is noticed even when nothing in the store changes (the daemon may
   * also call ControllerManager.notify('Node', key) on gossip changes).
   */
  nodeMonitorPeriodMs: number;
  /** Job pod-failure back-off: base and cap, as Kubernetes' 10 s doubling to 6 min. */
  jobBackoffBaseMs: number;
  jobBackoffMaxMs: number;
  /** Events: component name in `source.component`. */
  eventSource: string;
  /** Events older than this (by lastTimestamp) are deleted by the garbage collector; 0 keeps them. Default 1 h, as Kubernetes. */
  eventTtlMs: number;
}

export const DEFAULT_CONTROLLER_CONFIG: ControllerConfig = {
  defaultTolerationSeconds: 300,
  nodeMonitorGracePeriodMs: 0,
  nodeMonitorPeriodMs: 1000,
  jobBackoffBaseMs: 10_000,
  jobBackoffMaxMs: 360_000,
  eventSource: 'shoal-controller-manager',
  eventTtlMs: 3_600_000,
};

export class ControllerConfigError extends Error {
  override name = 'ControllerConfigError';
  constructor(readonly field: string, reason: string) {
    super(`controller config ${field}: ${reason}`);
  }
}

export function controllerConfig(partial: Partial<ControllerConfig> = {}): ControllerConfig {
  const c = { ...DEFAULT_CONTROLLER_CONFIG, ...partial };
  for (const f of ['defaultTolerationSeconds', 'nodeMonitorGracePeriodMs', 'nodeMonitorPeriodMs', 'jobBackoffBaseMs', 'jobBackoffMaxMs', 'eventTtlMs'] as const) {
    if (!Number.isFinite(c[f]) || c[f] < 0) throw new ControllerConfigError(f, 'must be a finite number >= 0');
  }
  if (c.jobBackoffMaxMs < c.jobBackoffBaseMs) throw new ControllerConfigError('jobBackoffMaxMs', 'must be >= jobBackoffBaseMs');
  return c;
}
