export { RawNode, type RaftStatus, type ProgressStatus } from './raw-node.js';
export type { RaftConfig } from './config.js';
export { MemoryStorage, type MemoryStorageInit } from './memory-storage.js';
export { encodeConfChange, decodeConfChange, ConfChangeDecodeError } from './conf-change.js';
export { ProgressState } from './progress.js';
export {
  ProposalDroppedError,
  ConfChangeInProgressError,
  CompactedError,
  UnavailableError,
  SnapshotUnavailableError,
  SnapshotOutOfDateError,
  RaftInvariantError,
  RaftConfigError,
} from './errors.js';
export { persistPlan, sendsBeforePersist } from './message.js';
