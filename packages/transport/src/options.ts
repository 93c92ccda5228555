/** GrpcTransport configuration with defaults, validated at construction. */
import type { Logger } from '@shoal/log';

export interface GrpcTransportOptions {
  /** This node's Raft id. */
  id: string;
  /** Frames whose cluster id differs are refused. */
  clusterId: string;
  logger?: Logger;
  /** Largest single encoded message sent or accepted (default 4 MiB; gRPC's default receive limit). */
  maxMessageBytes?: number;
  /** Messages a frame carries at most, in bytes (default 1 MiB). */
  maxFrameBytes?: number;
  /** Snapshot data bytes per chunk (default 1 MiB). */
  snapshotChunkBytes?: number;
  /** Messages queued per peer before new ones are dropped (default 4096). */
  queueLimit?: number;
  /** Reconnect backoff: first delay and cap, doubling in between (default 50 ms, 2 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export type ResolvedOptions = Required<Omit<GrpcTransportOptions, 'logger'>>;

export class TransportConfigError extends Error {
  override name = 'TransportConfigError';
  constructor(readonly field: string, reason: string) {
    super(`${field}: ${reason}`);
  }
}

export function resolveOptions(o: GrpcTransportOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    id: o.id,
    clusterId: o.clusterId,
    maxMessageBytes: o.maxMessageBytes ?? 4 * 1024 * 1024,
    maxFrameBytes: o.maxFrameBytes ?? 1024 * 1024,
    snapshotChunkBytes: o.snapshotChunkBytes ?? 1024 * 1024,
    queueLimit: o.queueLimit ?? 4096,
    backoffInitialMs: o.backoffInitialMs ?? 50,
    backoffMaxMs: o.backoffMaxMs ?? 2000,
  };
  if (!r.id) throw new TransportConfigError('id', 'required');
  if (!r.clusterId) throw new TransportConfigError('clusterId', 'required');
  for (const k of ['maxMessageBytes', 'maxFrameBytes', 'snapshotChunkBytes', 'queueLimit', 'backoffInitialMs', 'backoffMaxMs'] as const) {
    if (!Number.isInteger(r[k]) || r[k] <= 0) throw new TransportConfigError(k, 'must be a positive integer');
  }
  if (r.backoffMaxMs < r.backoffInitialMs) throw new TransportConfigError('backoffMaxMs', 'below backoffInitialMs');
  return r;
}
