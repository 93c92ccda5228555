/** The agent's one typed config, with defaults, validated at construction. */
import type { Logger } from '@shoal/log';
import type { ContainerRuntime } from '@shoal/runtime';
import { AgentConfigError } from './errors.js';
import type { AgentHooks, AgentSink, AgentSource } from './source.js';

export interface AgentOptions {
  /** This node's name: pods with spec.nodeName equal to it are ours. */
  nodeName: string;
  /** Scoped to this node (its ownerNode must equal nodeName). */
  runtime: ContainerRuntime;
  source: AgentSource;
  sink: AgentSink;
  /** Where ConfigMap/Secret volume files are written (per pod, under pods/<uid>). */
  dataDir: string;
  /** This node's address: status.hostIP of its pods. */
  hostIP?: string;
  hooks?: AgentHooks;
  /** Milliseconds since the epoch; every reported timestamp comes from it. Default Date.now. */
  clock?: () => number;
  logger?: Logger;
  /** CrashLoopBackOff: first delay (default 10 s), doubling up to max (default 5 min). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A container that ran this long restarts without back-off. Default 10 min. */
  backoffResetMs?: number;
  /** Full re-check of every pod even without a change. Default 10 s. */
  resyncMs?: number;
  /** Pod statuses changed within this window are sent as one batch. Default 100 ms. */
  statusBatchMs?: number;
  /** Node status heartbeat. Default 10 s. */
  nodeStatusMs?: number;
  /** Multiplies probe periods and delays (tests). Default 1. */
  probeTimeScale?: number;
  /** Default 110, as Kubernetes. */
  maxPods?: number;
  /** Held back from allocatable for the system. Default 0. */
  reservedCpuMillis?: number;
  reservedMemoryBytes?: number;
}

export type ResolvedAgentOptions = Required<Omit<AgentOptions, 'hooks' | 'logger'>> & Pick<AgentOptions, 'hooks' | 'logger'>;

export function resolveOptions(o: AgentOptions): ResolvedAgentOptions {
  if (!o.nodeName) throw new AgentConfigError('nodeName is required');
  if (!o.dataDir) throw new AgentConfigError('dataDir is required');
  if (o.runtime.ownerNode !== o.nodeName) {
    throw new AgentConfigError(`runtime is scoped to node ${o.runtime.ownerNode}, agent is ${o.nodeName}`);
  }
  const r: ResolvedAgentOptions = {
    ...o,
    hostIP: o.hostIP ?? '',
    clock: o.clock ?? (() => Date.now()),
    backoffBaseMs: o.backoffBaseMs ?? 10_000,
    backoffMaxMs: o.backoffMaxMs ?? 300_000,
    backoffResetMs: o.backoffResetMs ?? 600_000,
    resyncMs: o.resyncMs ?? 10_000,
    statusBatchMs: o.statusBatchMs ?? 100,
    nodeStatusMs: o.nodeStatusMs ?? 10_000,
    probeTimeScale: o.probeTimeScale ?? 1,
    maxPods: o.maxPods ?? 110,
    reservedCpuMillis: o.reservedCpuMillis ?? 0,
    reservedMemoryBytes: o.reservedMemoryBytes ?? 0,
  };
  for (const k of ['backoffBaseMs', 'backoffMaxMs', 'resyncMs', 'statusBatchMs', 'nodeStatusMs', 'probeTimeScale', 'maxPods'] as const) {
    if (!(r[k] > 0)) throw new AgentConfigError(`${k} must be positive, got ${r[k]}`);
  }
  if (r.backoffMaxMs < r.backoffBaseMs) throw new AgentConfigError('backoffMaxMs must be at least backoffBaseMs');
  return r;
}
