/** A seeded source of numbers in [0, 1) (mulberry32), so picks replay exactly. Pure. */
export interface Rand {
  next(): number;
}

export function seededRand(seed: number): Rand {
  let s = seed >>> 0;
  return {
    next(): number {
      s = (s + 0x6d2b79f5) >>> 0;
      let x = s;
      x = Math.imul(x ^ (x >>> 15), x | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    },
  };
}
