/**
 * Entries and a snapshot the core holds but the driver has not yet
 * persisted. `entries[k]` has index `offset + k`.
 */
import type { Entry, Snapshot } from '../types.js';
import { RaftInvariantError } from './errors.js';
import { limitEnd } from './entry-size.js';

export class Unstable {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];

  constructor(public offset: number) {}

  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      const s = this.snapshot;
      return s !== undefined && s.metadata.index === i ? s.metadata.term : undefined;
    }
    return this.entries[i - this.offset]?.term;
  }

  /** The driver has persisted entries up to `i` (with term `t`). */
  stableTo(i: number, t: number): void {
    const gt = this.maybeTerm(i);
    // Only if the entry is still the one persisted: a newer leader may have
    // replaced it in memory meanwhile, and that replacement is not yet durable.
    if (gt === t && i >= this.offset) {
      this.entries = this.entries.slice(i + 1 - this.offset);
      this.offset = i + 1;
    }
  }

  stableSnapTo(i: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === i) this.snapshot = undefined;
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.entries = [];
    this.snapshot = s;
  }

  truncateAndAppend(ents: Entry[]): void {
    const after = ents[0]!.index;
    if (after === this.offset + this.entries.length) {
      for (const e of ents) this.entries.push(e);
    } else if (after <= this.offset) {
      // Replaces everything unstable (and possibly part of storage).
      this.offset = after;
      this.entries = ents.slice();
    } else {
      this.entries.length = after - this.offset; // drop the conflicting suffix
      for (const e of ents) this.entries.push(e);
    }
  }

  slice(lo: number, hi: number, maxBytes = Infinity): Entry[] {
    if (lo < this.offset || hi > this.offset + this.entries.length) {
      throw new RaftInvariantError(`unstable.slice[${lo},${hi}) out of [${this.offset},${this.offset + this.entries.length})`);
    }
    const from = lo - this.offset;
    return this.entries.slice(from, limitEnd(this.entries, from, hi - this.offset, maxBytes));
  }
}
