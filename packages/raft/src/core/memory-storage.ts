/**
 * An in-memory `Storage`: the core's view of the durable log. The node driver
 * keeps one filled from disk; tests and the simulation use it directly, where
 * it stands for what was synced.
 *
 * Layout: `ents[k]` holds index `snap.metadata.index + 1 + k`. Appends push
 * and truncation shortens the array in place, so the hot path is O(entries
 * written); only compaction moves the array (rarely, and by design).
 */
import type { ConfState, Entry, HardState, Snapshot, Storage } from '../types.js';
import { CompactedError, RaftInvariantError, SnapshotOutOfDateError, UnavailableError } from './errors.js';
import { limitEnd } from './entry-size.js';

export interface MemoryStorageInit {
  confState?: ConfState;
  hardState?: HardState;
}

export class MemoryStorage implements Storage {
  private hardState: HardState;
  private conf: ConfState;
  private snap: Snapshot;
  /** The compaction boundary: the index and term just before `ents[0]`. */
  private dummyIndex = 0;
  private dummyTerm = 0;
  private ents: Entry[] = [];

  constructor(init: MemoryStorageInit = {}) {
    this.hardState = { ...(init.hardState ?? { term: 0, vote: '', commit: 0 }) };
    this.conf = copyConf(init.confState ?? { voters: [], learners: [] });
    this.snap = { metadata: { index: 0, term: 0, conf: copyConf(this.conf) }, data: new Uint8Array(0) };
  }

  /** Hard state and the configuration as of the newest snapshot (or the initial one). */
  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: copyConf(this.conf) };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  /** Overrides the configuration returned by `initialState` (a driver that persists it on apply). */
  setConfState(conf: ConfState): void {
    this.conf = copyConf(conf);
  }

  firstIndex(): number {
    return this.dummyIndex + 1;
  }

  lastIndex(): number {
    return this.dummyIndex + this.ents.length;
  }

  term(i: number): number {
    if (i === this.dummyIndex) return this.dummyTerm;
    if (i < this.dummyIndex) throw new CompactedError(i, this.firstIndex());
    const e = this.ents[i - this.dummyIndex - 1];
    if (e === undefined) throw new UnavailableError(i, this.lastIndex());
    return e.term;
  }

  entries(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    if (lo <= this.dummyIndex) throw new CompactedError(lo, this.firstIndex());
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    if (lo >= hi) return [];
    const off = this.dummyIndex + 1;
    return this.ents.slice(lo - off, limitEnd(this.ents, lo - off, hi - off, maxBytes));
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * Appends entries, first dropping any stored suffix they overwrite (a new
   * leader may replace uncommitted entries) and any prefix already compacted.
   */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    if (entries[entries.length - 1]!.index < first) return;
    const ents = entries[0]!.index < first ? entries.slice(first - entries[0]!.index) : entries;
    const at = ents[0]!.index - first;
    if (at > this.ents.length) {
      throw new RaftInvariantError(`memory storage: gap appending ${ents[0]!.index} after ${this.lastIndex()}`);
    }
    this.ents.length = at; // truncate the conflicting suffix
    for (const e of ents) this.ents.push(e);
  }

  /** Replaces the whole log with a snapshot received from the leader. */
  applySnapshot(s: Snapshot): void {
    if (s.metadata.index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(s.metadata.index, this.snap.metadata.index);
    }
    this.snap = { metadata: { ...s.metadata, conf: copyConf(s.metadata.conf) }, data: s.data };
    this.conf = copyConf(s.metadata.conf);
    this.dummyIndex = s.metadata.index;
    this.dummyTerm = s.metadata.term;
    this.ents = [];
  }

  /**
   * Records the application's state as of `index` (applied, still in the
   * log). Entries stay until `compact`, so slow followers can still be sent
   * entries rather than the whole snapshot.
   */
  createSnapshot(index: number, conf: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(index, this.snap.metadata.index);
    }
    if (index > this.lastIndex()) throw new UnavailableError(index, this.lastIndex());
    this.snap = { metadata: { index, term: this.term(index), conf: copyConf(conf) }, data };
    this.conf = copyConf(conf);
    return this.snap;
  }

  /**
   * Discards entries up to and including `index`. Never past the newest
   * snapshot: what is dropped must be recoverable from it.
   */
  compact(index: number): void {
    if (index <= this.dummyIndex) throw new CompactedError(index, this.firstIndex());
    if (index > this.snap.metadata.index) {
      throw new RaftInvariantError(`memory storage: compact(${index}) beyond snapshot ${this.snap.metadata.index}`);
    }
    this.dummyTerm = this.term(index);
    this.ents = this.ents.slice(index - this.dummyIndex);
    this.dummyIndex = index;
  }
}

export function copyConf(c: ConfState): ConfState {
  return { voters: [...c.voters], learners: [...c.learners] };
}
