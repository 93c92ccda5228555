/**
 * Lifeguard suspicion: a suspect is declared dead after a timeout that starts
 * at `maxMs` and shrinks toward `minMs` as independent members confirm the
 * suspicion (logarithmically in the number of confirmations, reaching the
 * minimum at k confirmations).
 */
export function suspicionTimeout(confirmations: number, k: number, minMs: number, maxMs: number): number {
  if (k < 1) return minMs;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  return Math.max(minMs, Math.floor(maxMs - frac * (maxMs - minMs)));
}

/** Suspicion bounds for a cluster of n members. */
export function suspicionBounds(n: number, probeIntervalMs: number, mult: number, maxMult: number): { minMs: number; maxMs: number } {
  const scale = Math.max(1, Math.log10(Math.max(1, n)));
  const minMs = Math.floor(mult * scale * probeIntervalMs);
  return { minMs, maxMs: minMs * maxMult };
}

export class Suspicion {
  /** Who already suspected this member: each counts at most once. */
  private readonly seen = new Set<string>();
  private confirmations = 0;

  constructor(
    readonly incarnation: number,
    readonly startedAt: number,
    /** Confirmations wanted to reach the minimum timeout. */
    readonly k: number,
    readonly minMs: number,
    readonly maxMs: number,
    from: string,
  ) {
    this.seen.add(from);
  }

  /** Count `from` as an independent confirmation; true if it was new. */
  confirm(from: string): boolean {
    if (this.confirmations >= this.k || this.seen.has(from)) return false;
    this.seen.add(from);
    this.confirmations++;
    return true;
  }

  get confirmed(): number {
    return this.confirmations;
  }

  get deadline(): number {
    return this.startedAt + suspicionTimeout(this.confirmations, this.k, this.minMs, this.maxMs);
  }
}
