/**
 * Updates waiting to be piggybacked. One entry per member (a newer fact about
 * a member replaces the older one). Entries transmitted fewest times go first,
 * newest first among equals, and each is dropped after `limit` transmissions
 * (limit = mult * ceil(log10(n+1)), chosen by the caller). Entries sit in
 * buckets by transmit count so picking stays cheap in big clusters; a bucket
 * is an append-only array whose stale slots are skipped and compacted away.
 */
import type { Update } from './types.js';

interface Entry { update: Update; size: number; transmits: number }

export class BroadcastQueue {
  private readonly buckets: Entry[][] = [];
  private readonly byNode = new Map<string, Entry>();

  get size(): number {
    return this.byNode.size;
  }

  has(node: string): boolean {
    return this.byNode.has(node);
  }

  /**
   * Queue `update`, replacing anything queued about the same member. Starting
   * at `transmits` > 0 makes it low priority: it goes out after fresher news
   * and fewer times.
   */
  push(update: Update, transmits = 0): void {
    const entry: Entry = { update, size: JSON.stringify(update).length + 1, transmits };
    this.byNode.set(update.node, entry);
    this.bucket(transmits).push(entry);
  }

  remove(node: string): void {
    this.byNode.delete(node);
  }

  /**
   * Take updates whose encoded sizes sum to at most `budget` bytes; count one
   * transmission for each and drop those that reached `limit`.
   */
  take(budget: number, limit: number): Update[] {
    const picked: Entry[] = [];
    let left = budget;
    for (let b = 0; b < this.buckets.length && left >= 40; b++) {
      const bucket = this.buckets[b];
      if (!bucket || bucket.length === 0) continue;
      let stale = 0;
      for (let i = bucket.length - 1; i >= 0 && left >= 40; i--) {
        const entry = bucket[i] as Entry;
        if (!this.live(entry, b)) {
          stale++;
          continue;
        }
        if (entry.size <= left && !picked.includes(entry)) {
          picked.push(entry);
          left -= entry.size;
        }
      }
      if (stale > 32 && stale * 2 > bucket.length) this.buckets[b] = bucket.filter((e) => this.live(e, b));
    }
    for (const entry of picked) {
      entry.transmits++;
      if (entry.transmits >= limit) this.byNode.delete(entry.update.node);
      else this.bucket(entry.transmits).push(entry);
    }
    return picked.map((e) => e.update);
  }

  /** An entry in bucket b is current if it is still the member's entry and has not moved on. */
  private live(entry: Entry, b: number): boolean {
    return entry.transmits === b && this.byNode.get(entry.update.node) === entry;
  }

  private bucket(i: number): Entry[] {
    let b = this.buckets[i];
    if (!b) {
      b = [];
      this.buckets[i] = b;
    }
    return b;
  }
}
