/** The only source of randomness the core uses; inject a seeded one in tests. */
export interface Rand {
  /** A uniform integer in [0, n). */
  intn(n: number): number;
}

/** A small seeded generator (mulberry32): deterministic and fast, not cryptographic. */
export function seededRand(seed: number): Rand {
  let s = seed >>> 0;
  return {
    intn(n: number): number {
      s = (s + 0x6d2b79f5) >>> 0;
      let x = s;
      x = Math.imul(x ^ (x >>> 15), x | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      const u = ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      return Math.floor(u * n);
    },
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffle<T>(rand: Rand, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rand.intn(i + 1);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}
