/**
 * The core's log: what storage holds (durable) followed by what is unstable
 * (in memory, to be persisted by the driver), plus the commit and applied
 * indexes.
 */
import type { Entry, Logger } from './deps.js';
import type { Snapshot, Storage } from '../types.js';
import { CompactedError, RaftInvariantError, UnavailableError } from './errors.js';
import { entrySize } from './entry-size.js';
import { Unstable } from './unstable.js';

export class RaftLog {
  readonly unstable: Unstable;
  /** Highest index known to be stored on a quorum. */
  committed: number;
  /** Highest index the application has applied. */
  applied: number;

  constructor(readonly storage: Storage, private readonly logger: Logger) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /**
   * The term of entry `i`, or 0 when it is not known: compacted away or past
   * the end (as etcd's zeroTermOnOutOfBounds).
   */
  term(i: number): number {
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return 0;
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    try {
      return this.storage.term(i);
    } catch (err) {
      if (err instanceof CompactedError || err instanceof UnavailableError) return 0;
      throw err;
    }
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /**
   * Appends the leader's entries that follow (index, logTerm) if our log
   * matches there. Returns the new last index, or undefined on mismatch.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: Entry[]): number | undefined {
    // The consistency check (log matching): only accept entries that follow
    // an entry we hold with the same index and term.
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      // Committed entries are never overwritten: a conflict there is a bug.
      if (ci <= this.committed) {
        throw new RaftInvariantError(`entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      }
      this.append(ents.slice(ci - (index + 1)));
    }
    // Commit only what we know matches the leader: up to the last new entry.
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (after < this.committed) {
      throw new RaftInvariantError(`append after ${after} is below committed ${this.committed}`);
    }
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * The index of the first entry of `ents` that is new or conflicts with
   * ours (different term at the same index), or 0 if all are already held.
   */
  findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) {
        if (e.index <= this.lastIndex()) {
          this.logger.debug('raft log: conflict', { index: e.index, ours: this.term(e.index), theirs: e.term });
        }
        return e.index;
      }
    }
    return 0;
  }

  /**
   * The greatest index <= `index` whose term is <= `term`, with its term.
   * Used for fast backtracking: skip whole terms the other side cannot match.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = index;
    const floor = this.firstIndex() - 1;
    for (; i >= floor; i--) {
      const t = this.term(i);
      if (t <= term) return { index: i, term: t };
      if (i === floor) break;
    }
    return { index: i, term: 0 };
  }

  /** Raft §5.4.1: is a log ending at (lasti, term) at least as up to date as ours? */
  isUpToDate(lasti: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lasti >= this.lastIndex());
  }

  commitTo(tocommit: number): void {
    // The commit index never decreases.
    if (tocommit > this.committed) {
      if (tocommit > this.lastIndex()) {
        throw new RaftInvariantError(`commit ${tocommit} is beyond the last index ${this.lastIndex()}`);
      }
      this.committed = tocommit;
    }
  }

  /**
   * Leader commit: advances to `maxIndex` only if that entry is from the
   * current term (Figure 8 of the Raft paper: an entry of an earlier term is
   * never committed by counting replicas, only by a later current-term entry).
   */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  appliedTo(i: number): void {
    if (i === 0) return;
    if (i > this.committed || i < this.applied) {
      throw new RaftInvariantError(`applied(${i}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`);
    }
    this.applied = i;
  }

  hasNextCommittedEnts(): boolean {
    const off = Math.max(this.applied + 1, this.firstIndex());
    return this.committed + 1 > off;
  }

  nextCommittedEnts(maxBytes = Infinity): Entry[] {
    const off = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 > off) return this.slice(off, this.committed + 1, maxBytes);
    return [];
  }

  /** Entries from `i` to the end, at most `maxBytes` (but at least one). */
  entries(i: number, maxBytes = Infinity): Entry[] {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxBytes);
  }

  /** Entries in [lo, hi); throws CompactedError below the first index. */
  slice(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo, first);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    if (lo >= hi) return [];
    const uoff = this.unstable.offset;
    let out: Entry[] = [];
    if (lo < uoff) {
      out = this.storage.entries(lo, Math.min(hi, uoff), maxBytes);
      // Storage stopped early because of the size limit: do not add more.
      if (out.length < Math.min(hi, uoff) - lo) return out;
    }
    if (hi > uoff) {
      let budget = maxBytes;
      if (out.length > 0 && budget !== Infinity) {
        for (const e of out) budget -= entrySize(e);
        // What storage gave already fills the budget.
        if (budget <= 0) return out;
      }
      const u = this.unstable.slice(Math.max(lo, uoff), hi, budget);
      if (out.length === 0) return u;
      // With a budget, the unstable part must fit entirely within it.
      const fit = budget === Infinity ? u : u.slice(0, countWithin(u, budget));
      out = out.concat(fit);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /** All unstable entries (what the next Ready asks the driver to persist). */
  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }
}

/** How many leading entries fit in `budget` bytes. */
function countWithin(ents: readonly Entry[], budget: number): number {
  let n = 0;
  for (const e of ents) {
    budget -= entrySize(e);
    if (budget < 0) break;
    n++;
  }
  return n;
}
