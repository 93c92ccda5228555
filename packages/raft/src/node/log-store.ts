/**
 * The durable half of Raft storage. The node writes everything the core
 * asks it to persist through `save` (one synced batch) before it sends any
 * message that depends on it, and rebuilds the core's in-memory log from
 * `load` on restart.
 */
import type { ConfState, Entry, HardState, Snapshot } from '../types.js';

export interface LoadedLog {
  /** Zero state ({term: 0, vote: '', commit: 0}) on a fresh store. */
  hardState: HardState;
  /** The snapshot's configuration, else the bootstrap one; empty when fresh. */
  confState: ConfState;
  snapshot?: Snapshot;
  /** Entries after the snapshot (or from index 1), contiguous and ascending. */
  entries: Entry[];
}

export interface PersistBatch {
  hardState?: HardState;
  /**
   * New entries. The first one may overwrite a conflicting suffix of the
   * stored log: every stored entry at or after its index is replaced.
   */
  entries: Entry[];
  /**
   * A snapshot received from the leader. The stored log is discarded and
   * restarts after `snapshot.metadata.index`.
   */
  snapshot?: Snapshot;
  /** The configuration a fresh cluster starts from (bootstrap only). */
  confState?: ConfState;
  /**
   * Whether to fsync (default true). The node passes false only when the
   * batch just moves the commit index, which the leader can tell it again.
   */
  sync?: boolean;
}

export interface LogStore {
  load(): Promise<LoadedLog>;
  /**
   * Writes the whole batch atomically, and durably (fsync) unless `sync` is
   * false, before resolving. Batches are written in the order of the calls,
   * even when the caller does not wait for one before handing the next.
   */
  save(batch: PersistBatch): Promise<void>;
  /**
   * Stores a snapshot the node took of its own state and deletes entries up
   * to `index` (at most the snapshot's index); later entries stay.
   */
  compact(index: number, snapshot: Snapshot): Promise<void>;
  close(): Promise<void>;
}

export const emptyHardState = (): HardState => ({ term: 0, vote: '', commit: 0 });
