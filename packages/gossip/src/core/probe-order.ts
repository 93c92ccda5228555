/**
 * Randomized round-robin: every member is probed once per pass, in an order
 * reshuffled at each pass, so a failed member is found within a bounded time
 * (SWIM section 4.3) while probes still look random.
 */
import { shuffle, type Rand } from './rand.js';

export class ProbeOrder {
  private order: string[] = [];
  private index = 0;

  constructor(private readonly rand: Rand) {}

  /** A new member goes at a random place in the remainder of the pass. */
  add(name: string): void {
    const pos = this.index + this.rand.intn(this.order.length - this.index + 1);
    this.order.splice(pos, 0, name);
  }

  remove(name: string): void {
    const i = this.order.indexOf(name);
    if (i < 0) return;
    this.order.splice(i, 1);
    if (i < this.index) this.index--;
  }

  /** The next name accepted by `eligible`, or undefined when no one is eligible. */
  next(eligible: (name: string) => boolean): string | undefined {
    for (let tried = 0; tried <= this.order.length; tried++) {
      if (this.index >= this.order.length) {
        shuffle(this.rand, this.order);
        this.index = 0;
        if (this.order.length === 0) return undefined;
      }
      const name = this.order[this.index++] as string;
      if (eligible(name)) return name;
    }
    return undefined;
  }
}
