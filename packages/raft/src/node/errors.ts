/** Errors a `RaftNode` rejects proposals and reads with. */
import type { NodeId } from '../types.js';

/** The proposal was refused because another node leads; `leader` is a hint. */
export class NotLeaderError extends Error {
  override name = 'NotLeaderError';
  constructor(readonly leader: NodeId, options?: ErrorOptions) {
    super(`not the leader; leader is ${leader}`, options);
  }
}

/** No leader is known (an election is in progress or quorum is lost). */
export class NoLeaderError extends Error {
  override name = 'NoLeaderError';
  readonly leader = '';
  constructor(options?: ErrorOptions) {
    super('no leader', options);
  }
}

/**
 * The leader changed while the request was pending. Like a timeout, the
 * outcome is unknown (the entry may still commit); retrying is safe only
 * for idempotent requests.
 */
export class LeaderChangedError extends Error {
  override name = 'LeaderChangedError';
  constructor(readonly leader: NodeId | '') {
    super(`leader changed to ${leader || '(none)'} while the request was pending`);
  }
}

/** The operation did not complete in time; it may still take effect later. */
export class RaftTimeoutError extends Error {
  override name = 'RaftTimeoutError';
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
  }
}

/** The node stopped before the operation completed. */
export class StoppedError extends Error {
  override name = 'StoppedError';
  constructor() {
    super('raft node stopped');
  }
}

/** A RaftNode configuration value is invalid; `field` names it. */
export class RaftNodeConfigError extends Error {
  override name = 'RaftNodeConfigError';
  constructor(readonly field: string, reason: string) {
    super(`${field}: ${reason}`);
  }
}
