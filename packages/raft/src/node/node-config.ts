/**
 * RaftNode configuration: timing in milliseconds (converted to ticks here,
 * the only place that knows about wall time), snapshot policy and limits.
 */
import type { Logger } from '@shoal/log';
import type { NodeId, Rand } from '../types.js';
import type { LogStore } from './log-store.js';
import type { StateMachine } from './state-machine.js';
import type { Transport } from './transport.js';
import { RaftNodeConfigError } from './errors.js';

export interface RaftNodeConfig {
  id: NodeId;
  /** The voters of a fresh cluster; ignored once the store holds state. */
  peers: NodeId[];
  /** Owned by the node from `start()`: `stop()` closes it. */
  logStore: LogStore;
  /** Owned by the node from `start()`: `stop()` closes it. */
  transport: Transport;
  stateMachine: StateMachine;
  logger?: Logger;
  /** Length of one Raft tick (default 50 ms). */
  tickMs?: number;
  /** Leader heartbeat interval (default 100 ms). */
  heartbeatMs?: number;
  /** Base election timeout, randomized in [electionMs, 2*electionMs) (default 1000 ms). */
  electionMs?: number;
  /**
   * Take a snapshot and compact once this many entries were applied since
   * the last (default 10,000). This and the byte thresholds below are
   * stretched by a random factor in [1, 1.5) drawn for each interval, so the
   * members of a group do not all snapshot at once.
   */
  snapshotEntries?: number;
  /**
   * A snapshot also waits until the entries applied since the last one hold
   * at least this many times that snapshot's bytes (default 1). A snapshot
   * writes the whole state, so spacing them by the state's size bounds that
   * work per byte written: a large state is not rewritten after every
   * `snapshotEntries` small writes. 0 turns the rule off.
   */
  snapshotLogRatio?: number;
  /** ...but once this many bytes were applied since the last snapshot, snapshot anyway (default 64 MiB). */
  snapshotMaxLogBytes?: number;
  /** Entries kept behind a snapshot for slow followers (default 5,000). */
  snapshotCatchUpEntries?: number;
  /** Default timeout of `propose`, `readBarrier` and conf changes (default 5,000 ms). */
  requestTimeoutMs?: number;
  /** Randomness for election timeouts and snapshot spacing (default Math.random). */
  rand?: Rand;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
  maxUncommittedEntriesSize?: number;
}

export interface ResolvedNodeConfig {
  tickMs: number;
  heartbeatTick: number;
  electionTick: number;
  snapshotEntries: number;
  snapshotLogRatio: number;
  snapshotMaxLogBytes: number;
  snapshotCatchUpEntries: number;
  requestTimeoutMs: number;
}

function positive(field: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new RaftNodeConfigError(field, `must be positive, got ${v}`);
  return v;
}

export function resolveNodeConfig(c: RaftNodeConfig): ResolvedNodeConfig {
  if (!c.id) throw new RaftNodeConfigError('id', 'required');
  const tickMs = positive('tickMs', c.tickMs ?? 50);
  const heartbeatMs = positive('heartbeatMs', c.heartbeatMs ?? 100);
  const electionMs = positive('electionMs', c.electionMs ?? 1000);
  const heartbeatTick = Math.max(1, Math.round(heartbeatMs / tickMs));
  const electionTick = Math.round(electionMs / tickMs);
  if (electionTick <= heartbeatTick) {
    throw new RaftNodeConfigError('electionMs', `must be longer than heartbeatMs (${heartbeatMs} ms) by at least one tick (${tickMs} ms)`);
  }
  const snapshotEntries = positive('snapshotEntries', c.snapshotEntries ?? 10_000);
  const snapshotCatchUpEntries = c.snapshotCatchUpEntries ?? Math.min(5_000, Math.floor(snapshotEntries / 2));
  if (snapshotCatchUpEntries < 0) throw new RaftNodeConfigError('snapshotCatchUpEntries', 'must not be negative');
  const snapshotLogRatio = c.snapshotLogRatio ?? 1;
  if (!Number.isFinite(snapshotLogRatio) || snapshotLogRatio < 0) throw new RaftNodeConfigError('snapshotLogRatio', `must be 0 or more, got ${snapshotLogRatio}`);
  return {
    tickMs,
    heartbeatTick,
    electionTick,
    snapshotEntries,
    snapshotLogRatio,
    snapshotMaxLogBytes: positive('snapshotMaxLogBytes', c.snapshotMaxLogBytes ?? 64 * 1024 * 1024),
    snapshotCatchUpEntries,
    requestTimeoutMs: positive('requestTimeoutMs', c.requestTimeoutMs ?? 5_000),
  };
}
