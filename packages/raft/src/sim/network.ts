/**
 * The simulated network: every message gets a delivery time; it may be
 * dropped, duplicated or delayed (which reorders it), and links can be cut
 * in one direction or both.
 */
import type { Message, NodeId } from '../types.js';
import type { SeededRand } from './prng.js';

export interface NetworkFaults {
  /** Probability a message is lost. */
  drop: number;
  /** Probability a message is delivered twice. */
  duplicate: number;
  /** Delivery delay range in steps. */
  minDelay: number;
  maxDelay: number;
  /** Probability a message is held back much longer (long reordering). */
  longDelay: number;
  longDelayMax: number;
}

export const RELIABLE: NetworkFaults = { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 1, longDelay: 0, longDelayMax: 0 };
export const UNRELIABLE: NetworkFaults = { drop: 0.1, duplicate: 0.05, minDelay: 1, maxDelay: 6, longDelay: 0, longDelayMax: 0 };

interface InFlight {
  at: number;
  seq: number;
  m: Message;
}

export class SimNetwork {
  faults: NetworkFaults = { ...RELIABLE };
  private queue: InFlight[] = [];
  private seq = 0;
  /** "from>to" pairs whose messages are lost. */
  private readonly cutLinks = new Set<string>();

  constructor(private readonly rand: SeededRand) {}

  /** Messages sent at `now`; returns those dropped (the sender's transport may notice). */
  send(now: number, msgs: Message[]): Message[] {
    const dropped: Message[] = [];
    for (const m of msgs) {
      if (this.isCut(m.from, m.to) || this.rand.chance(this.faults.drop)) {
        dropped.push(m);
        continue;
      }
      const copies = this.rand.chance(this.faults.duplicate) ? 2 : 1;
      for (let i = 0; i < copies; i++) this.queue.push({ at: now + this.delay(), seq: this.seq++, m });
    }
    return dropped;
  }

  private delay(): number {
    const f = this.faults;
    if (this.rand.chance(f.longDelay)) return f.minDelay + this.rand.intn(Math.max(1, f.longDelayMax));
    return f.minDelay + this.rand.intn(f.maxDelay - f.minDelay + 1);
  }

  /** Messages due by `now`, in delivery order; a cut at delivery time also loses them. */
  due(now: number): { deliver: Message[]; lost: Message[] } {
    const deliver: Message[] = [];
    const lost: Message[] = [];
    const keep: InFlight[] = [];
    const ready: InFlight[] = [];
    for (const f of this.queue) (f.at <= now ? ready : keep).push(f);
    this.queue = keep;
    ready.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const f of ready) (this.isCut(f.m.from, f.m.to) ? lost : deliver).push(f.m);
    return { deliver, lost };
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cutLinks.has(`${from}>${to}`);
  }

  /** Loses messages from `from` to `to` (one way). */
  cutOneWay(from: NodeId, to: NodeId): void {
    this.cutLinks.add(`${from}>${to}`);
  }

  cut(a: NodeId, b: NodeId): void {
    this.cutOneWay(a, b);
    this.cutOneWay(b, a);
  }

  /** Cuts `id` off from every node in `all`. */
  isolate(id: NodeId, all: readonly NodeId[]): void {
    for (const o of all) if (o !== id) this.cut(id, o);
  }

  /** Restores every link of `id`. */
  reconnect(id: NodeId): void {
    for (const k of [...this.cutLinks]) {
      const [a, b] = k.split('>');
      if (a === id || b === id) this.cutLinks.delete(k);
    }
  }

  /** Splits the nodes into two sides that cannot talk. */
  partition(side: readonly NodeId[], all: readonly NodeId[]): void {
    for (const a of side) for (const b of all) if (!side.includes(b)) this.cut(a, b);
  }

  heal(): void {
    this.cutLinks.clear();
  }

  get pending(): number {
    return this.queue.length;
  }
}
