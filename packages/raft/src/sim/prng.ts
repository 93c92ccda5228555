/**
 * A small seeded PRNG (mulberry32) implementing the core's `Rand`. The same
 * seed gives the same sequence on every machine, so a failing simulation
 * seed replays exactly.
 */
import type { Rand } from '../types.js';

export class SeededRand implements Rand {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  intn(n: number): number {
    if (n <= 0) return 0;
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.intn(items.length)]!;
  }

  /** A derived generator, so one concern's draws do not shift another's. */
  fork(): SeededRand {
    return new SeededRand(Math.floor(this.next() * 4294967296));
  }
}
