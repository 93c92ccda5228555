/**
 * One error class per condition the core can report. Storage errors follow
 * etcd-io/raft's Storage contract so the driver's LevelDB store can throw the
 * same classes.
 */
import type { NodeId } from '../types.js';

/** A proposal was not accepted; `leader` is the known leader ('' if none). */
export class ProposalDroppedError extends Error {
  override name = 'ProposalDroppedError';
  constructor(readonly leader: NodeId | '', reason: string) {
    super(`raft proposal dropped: ${reason}${leader === '' ? '' : ` (leader ${leader})`}`);
  }
}

/** A membership change was proposed while another one is not yet applied. */
export class ConfChangeInProgressError extends Error {
  override name = 'ConfChangeInProgressError';
  constructor(readonly pendingIndex: number) {
    super(`raft: a configuration change at index ${pendingIndex} is not yet applied`);
  }
}

/** The requested index is older than the first index kept in storage. */
export class CompactedError extends Error {
  override name = 'CompactedError';
  constructor(readonly index: number, readonly firstIndex: number) {
    super(`raft: index ${index} is compacted (first index ${firstIndex})`);
  }
}

/** The requested index is beyond the last index in storage. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  constructor(readonly index: number, readonly lastIndex: number) {
    super(`raft: index ${index} is unavailable (last index ${lastIndex})`);
  }
}

/** Storage is building a snapshot; the caller should retry later. */
export class SnapshotUnavailableError extends Error {
  override name = 'SnapshotUnavailableError';
  constructor() {
    super('raft: snapshot is temporarily unavailable');
  }
}

/** A snapshot older than the one already held was offered. */
export class SnapshotOutOfDateError extends Error {
  override name = 'SnapshotOutOfDateError';
  constructor(readonly index: number, readonly current: number) {
    super(`raft: snapshot at ${index} is older than the current one at ${current}`);
  }
}

/** The caller broke the core's contract (a bug in the driver or the core). */
export class RaftInvariantError extends Error {
  override name = 'RaftInvariantError';
}

/** The configuration passed to RawNode is invalid. */
export class RaftConfigError extends Error {
  override name = 'RaftConfigError';
  constructor(readonly field: string, reason: string) {
    super(`raft config: ${field} ${reason}`);
  }
}
