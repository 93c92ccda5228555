/**
 * Lifeguard's local health awareness. A member that sees its own probes fail
 * (no ack and missing nacks) or must refute suspicions of itself is probably
 * the slow one; it raises its score and stretches its probe interval and
 * timeouts by (score + 1), so it accuses healthy members less often.
 */
export class Awareness {
  private score = 0;

  constructor(private readonly max: number) {}

  /** Add delta (negative for good news), clamped to [0, max - 1]. */
  apply(delta: number): void {
    this.score = Math.min(this.max - 1, Math.max(0, this.score + delta));
  }

  get health(): number {
    return this.score;
  }

  scale(ms: number): number {
    return ms * (this.score + 1);
  }
}
