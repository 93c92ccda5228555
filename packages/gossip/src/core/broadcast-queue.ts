/**
 * Updates waiting to be piggybacked. One entry per member (a newer fact about
 * a member replaces the older one); the least-transmitted entries go first and
 * each is dropped after `limit` transmissions, limit = mult * ceil(log10(n+1)).
 * Entries sit in buckets by transmit count, so picking is cheap in big clusters.
 */
import type { Update } from './types.js';

interface Entry { update: Update; size: number; transmits: number }

export class BroadcastQueue {
  private readonly buckets: Map<string, Entry>[] = [];
  private readonly byNode = new Map<string, Entry>();

  get size(): number {
    return this.byNode.size;
  }

  has(node: string): boolean {
    return this.byNode.has(node);
  }

  /** Queue `update`, replacing anything queued about the same member. */
  push(update: Update): void {
    this.remove(update.node);
    const entry: Entry = { update, size: JSON.stringify(update).length + 1, transmits: 0 };
    this.bucket(0).set(update.node, entry);
    this.byNode.set(update.node, entry);
  }

  remove(node: string): void {
    const old = this.byNode.get(node);
    if (!old) return;
    this.buckets[old.transmits]?.delete(node);
    this.byNode.delete(node);
  }

  /**
   * Take updates whose encoded sizes sum to at most `budget` bytes, fewest
   * transmissions first; count one transmission for each and drop those that
   * reached `limit`.
   */
  take(budget: number, limit: number): Update[] {
    const picked: Entry[] = [];
    let left = budget;
    for (let b = 0; b < this.buckets.length && left > 0; b++) {
      const bucket = this.buckets[b];
      if (!bucket) continue;
      for (const entry of bucket.values()) {
        if (entry.size <= left) {
          picked.push(entry);
          left -= entry.size;
          if (left < 40) break;
        }
      }
    }
    for (const entry of picked) {
      this.buckets[entry.transmits]?.delete(entry.update.node);
      entry.transmits++;
      if (entry.transmits >= limit) this.byNode.delete(entry.update.node);
      else this.bucket(entry.transmits).set(entry.update.node, entry);
    }
    return picked.map((e) => e.update);
  }

  private bucket(i: number): Map<string, Entry> {
    let b = this.buckets[i];
    if (!b) {
      b = new Map();
      this.buckets[i] = b;
    }
    return b;
  }
}
