export { ObjectStore, type StoreListOptions, type ListPageOptions, type ListPage } from './store.js';
export type {
  Command, SingleCommand, CommandType, CreateCommand, ApplyCommand, UpdateCommand, UpdateStatusCommand, DeleteCommand, BindCommand, PatchMetadataCommand, BatchCommand,
} from './commands.js';
export { encodeCommand, decodeCommand } from './commands.js';
export type { ApplyResult, ApplySuccess, ApplyFailure } from './results.js';
export {
  StoreError, NotFoundError, AlreadyExistsError, ConflictError, InvalidError, PreconditionError, ForbiddenError, CompactedError, ContinueTokenError, WatchRequestError,
  StoreConfigError, SnapshotError, CommandDecodeError, type StoreErrorCode,
} from './errors.js';
export type { ObjectStoreConfig } from './config.js';
export type { WatchEvent, WatchOptions, ChangeType } from './watch-hub.js';
export type { StoredObject } from './object-table.js';
export { FOREGROUND_FINALIZER, SYSTEM_NAMESPACES } from './apply-delete.js';
export { SNAPSHOT_FORMAT, encodeSnapshotInSlices, type SnapshotData } from './snapshot-codec.js';
export { commandForAction, nameSuffixFrom, type LeaderChoices } from './leader-choices.js';
export { objectJson } from './object-json.js';
