/** The core's configuration, with defaults and validation. */
import type { Logger } from './deps.js';
import type { NodeId, Rand, Storage } from '../types.js';
import { RaftConfigError } from './errors.js';

export interface RaftConfig {
  id: NodeId;
  storage: Storage;
  rand: Rand;
  logger?: Logger;
  /** Ticks without a leader before an election; randomized in [electionTick, 2*electionTick). */
  electionTick: number;
  /** Ticks between a leader's heartbeats; must be below electionTick. */
  heartbeatTick: number;
  /** Last index applied by the application (on restart); entries after it are handed out again. */
  applied?: number;
  /** Bytes of entries per append message (at least one entry is always sent). Default 1 MiB. */
  maxSizePerMsg?: number;
  /** Append messages in flight per follower in the replicate state. Default 256. */
  maxInflightMsgs?: number;
  /** Bytes in flight per follower; 0 means no limit. Default 0. */
  maxInflightBytes?: number;
  /** Leader refuses proposals past this many uncommitted payload bytes; 0 means no limit. */
  maxUncommittedEntriesSize?: number;
  /** Bytes of committed entries per Ready (at least one entry). Default no limit. */
  maxCommittedSizePerReady?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
}

export type ResolvedRaftConfig = Required<Omit<RaftConfig, 'logger'>> & { logger: Logger };

export function resolveConfig(cfg: RaftConfig, noop: Logger): ResolvedRaftConfig {
  if (cfg.id === '') throw new RaftConfigError('id', 'must not be empty');
  if (!Number.isInteger(cfg.heartbeatTick) || cfg.heartbeatTick <= 0) {
    throw new RaftConfigError('heartbeatTick', 'must be a positive integer');
  }
  if (!Number.isInteger(cfg.electionTick) || cfg.electionTick <= cfg.heartbeatTick) {
    throw new RaftConfigError('electionTick', 'must be an integer greater than heartbeatTick');
  }
  const maxInflightMsgs = cfg.maxInflightMsgs ?? 256;
  if (!Number.isInteger(maxInflightMsgs) || maxInflightMsgs <= 0) {
    throw new RaftConfigError('maxInflightMsgs', 'must be a positive integer');
  }
  const maxInflightBytes = cfg.maxInflightBytes ?? 0;
  const maxSizePerMsg = cfg.maxSizePerMsg ?? 1024 * 1024;
  if (maxInflightBytes !== 0 && maxInflightBytes < maxSizePerMsg) {
    throw new RaftConfigError('maxInflightBytes', 'must be 0 or at least maxSizePerMsg');
  }
  return {
    id: cfg.id,
    storage: cfg.storage,
    rand: cfg.rand,
    logger: cfg.logger ?? noop,
    electionTick: cfg.electionTick,
    heartbeatTick: cfg.heartbeatTick,
    applied: cfg.applied ?? 0,
    maxSizePerMsg,
    maxInflightMsgs,
    maxInflightBytes,
    maxUncommittedEntriesSize: cfg.maxUncommittedEntriesSize ?? 0,
    maxCommittedSizePerReady: cfg.maxCommittedSizePerReady ?? Infinity,
    preVote: cfg.preVote ?? false,
    checkQuorum: cfg.checkQuorum ?? false,
  };
}
