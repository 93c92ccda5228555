/**
 * The agent's decision core: pure functions from (desired pod, what the
 * runtime shows, probe results, now) to actions and a status. No timers,
 * clocks, files or Docker here; the shell (../shell) does the I/O.
 */
import type { Container, PodStatus } from '@shoal/api';
import type { ContainerInfo, ContainerKind, SandboxInfo } from '@shoal/runtime';

export interface CoreConfig {
  /** First CrashLoopBackOff delay (Kubernetes: 10 s); doubles per restart. */
  backoffBaseMs: number;
  /** Longest CrashLoopBackOff delay (Kubernetes: 5 min). */
  backoffMaxMs: number;
  /** A container that ran at least this long restarts without back-off (Kubernetes: 10 min). */
  backoffResetMs: number;
  /** Reported as status.hostIP. */
  hostIP: string;
  /** Prefix of containerID in statuses, e.g. `docker`. */
  idScheme: string;
}

export const DEFAULT_CORE_CONFIG: CoreConfig = {
  backoffBaseMs: 10_000,
  backoffMaxMs: 300_000,
  backoffResetMs: 600_000,
  hostIP: '',
  idScheme: 'docker',
};

/** What the probes say about one running container. */
export interface ProbeResults {
  /** The startup probe succeeded (true when there is none). */
  started: boolean;
  /** The readiness probe passes (true when there is none). */
  ready: boolean;
  /** The liveness probe failed `failureThreshold` times in a row. */
  livenessFailed: boolean;
}

export const NO_PROBES: ProbeResults = { started: true, ready: true, livenessFailed: false };

/** Everything the runtime shows of one pod (all sandbox and container attempts). */
export interface PodObservation {
  sandboxes: SandboxInfo[];
  containers: ContainerInfo[];
}

/** Why the shell could not create a container last time (image missing, bad config). */
export interface WaitingReason {
  reason: string;
  message: string;
}

export type AgentAction =
  | { type: 'createSandbox'; attempt: number }
  | { type: 'startContainer'; container: Container; kind: ContainerKind; attempt: number; sandboxId: string }
  | { type: 'killContainer'; containerId: string; name: string; graceSeconds: number; reason: string }
  | { type: 'removeContainer'; containerId: string }
  | { type: 'killSandbox'; sandboxId: string; graceSeconds: number }
  | { type: 'removeSandbox'; sandboxId: string }
  /** Remove the pod's emptyDir volumes and files (everything of it is gone). */
  | { type: 'cleanupPod' }
  /** Tell the cluster the terminating pod may go (all its containers stopped). */
  | { type: 'deletePod' };

export interface PodDecision {
  actions: AgentAction[];
  status: PodStatus;
  /** When (ms since epoch) a back-off ends and the pod wants another look. */
  wakeAt?: number;
}
