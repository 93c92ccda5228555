/**
 * An in-memory network for whole clusters of Swim cores: simulated time, a
 * seeded PRNG for latency and loss, crashes and slowed members. Events are
 * kept in a binary heap, and a member is ticked only when its core says it has
 * work (`nextDeadline`), so a 1,000-member cluster runs in seconds.
 */
import { Swim } from '../../src/core/swim.js';
import { seededRand, type Rand } from '../../src/core/rand.js';
import type { GossipConfig } from '../../src/core/config.js';
import type { MemberEvent, Message, Meta, Output } from '../../src/core/types.js';

interface SimEvent { at: number; seq: number; addr: string; from?: string; msg?: Message }

class Heap {
  private items: SimEvent[] = [];
  get size(): number { return this.items.length; }
  push(e: SimEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  peek(): SimEvent | undefined { return this.items[0]; }
  pop(): SimEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
const less = (x: SimEvent, y: SimEvent): boolean => x.at < y.at || (x.at === y.at && x.seq < y.seq);

export interface SimNode {
  name: string;
  addr: string;
  swim: Swim;
  crashed: boolean;
  /** Every incoming message waits this long before the member handles it (its timers run on time). */
  slowMs: number;
  /** When the next tick is scheduled (Infinity: none). */
  tickAt: number;
  lastIncarnation: number;
}

export interface SimOptions {
  config: GossipConfig;
  seed: number;
  /** Probability that a datagram is lost (streams never lose). */
  loss?: number;
  minLatencyMs?: number;
  maxLatencyMs?: number;
}

export type EventHook = (node: SimNode, e: MemberEvent, now: number) => void;

/** `--seed=N` on the command line (tap: `--test-arg=--seed=N`) replays one seed in every sim. */
export function seedOverride(): number | undefined {
  const arg = process.argv.find((a) => a.startsWith('--seed='));
  return arg ? Number(arg.slice('--seed='.length)) : undefined;
}

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
  constructor(seed: number, now: number, what: string) {
    super(`invariant broken at ${now} ms (replay with --seed=${seed}): ${what}`);
  }
}

export class SimNetwork {
  now = 0;
  readonly nodes = new Map<string, SimNode>();
  readonly byName = new Map<string, SimNode>();
  loss: number;
  /** When set, messages between members on different sides are lost, streams included. */
  partitioned: ((from: string, to: string) => boolean) | undefined;
  private readonly rand: Rand;
  private readonly heap = new Heap();
  private seq = 0;
  private readonly hooks: EventHook[] = [];
  messagesSent = 0;

  readonly seed: number;
  /** Per member, the last incarnation it had and the last it saw of each other member. */
  private readonly seenInc = new Map<string, Map<string, number>>();

  constructor(private readonly opts: SimOptions) {
    this.seed = seedOverride() ?? opts.seed;
    this.rand = seededRand(this.seed);
    this.loss = opts.loss ?? 0;
    this.onEvent((node, e) => this.checkEvent(node, e));
  }

  /**
   * Checked after every step: a member sees itself alive (or left, once it
   * leaves); incarnations never go back, neither its own nor what it knows of
   * others (while it remembers them); no member gets events about itself.
   */
  private checkEvent(node: SimNode, e: MemberEvent): void {
    if (e.member.name === node.name) throw new InvariantError(this.seed, this.now, `${node.name} got an event about itself`);
    let seen = this.seenInc.get(node.name);
    if (!seen) this.seenInc.set(node.name, (seen = new Map()));
    const before = seen.get(e.member.name) ?? 0;
    if (e.member.incarnation < before) {
      throw new InvariantError(this.seed, this.now, `${node.name} saw ${e.member.name} go back from incarnation ${before} to ${e.member.incarnation}`);
    }
    seen.set(e.member.name, e.member.incarnation);
  }

  private checkSelf(node: SimNode): void {
    const self = node.swim.member(node.name);
    if (!self || (self.state !== 'alive' && self.state !== 'left')) {
      throw new InvariantError(this.seed, this.now, `${node.name} holds itself ${self?.state ?? 'unknown'}`);
    }
    if (node.swim.incarnation < node.lastIncarnation) throw new InvariantError(this.seed, this.now, `${node.name}'s incarnation went back`);
    node.lastIncarnation = node.swim.incarnation;
  }

  onEvent(hook: EventHook): void {
    this.hooks.push(hook);
  }

  add(name: string, meta: Meta = {}): SimNode {
    const addr = `${name}:7946`;
    const swim = new Swim({ name, address: addr, meta, config: this.opts.config, rand: seededRand(this.seed * 7919 + this.nodes.size + 1), now: this.now });
    const node: SimNode = { name, addr, swim, crashed: false, slowMs: 0, tickAt: Infinity, lastIncarnation: 0 };
    this.nodes.set(addr, node);
    this.byName.set(name, node);
    this.schedule(node);
    return node;
  }

  node(name: string): SimNode {
    const n = this.byName.get(name);
    if (!n) throw new Error(`no sim node ${name}`);
    return n;
  }

  join(name: string, seeds: string[]): void {
    const n = this.node(name);
    this.process(n, n.swim.join(this.now, seeds.map((s) => this.node(s).addr)));
  }

  /** Stop a member dead: it sends and handles nothing from now on. */
  crash(name: string): void {
    this.node(name).crashed = true;
  }

  /** Run until simulated time `until`, or earlier when `stop` says so (checked after every event). */
  run(until: number, stop?: () => boolean): void {
    for (;;) {
      const e = this.heap.peek();
      if (!e || e.at > until) break;
      this.heap.pop();
      this.now = e.at;
      const node = this.nodes.get(e.addr);
      if (!node || node.crashed) continue;
      if (e.msg) {
        this.process(node, node.swim.handle(this.now, e.from as string, e.msg));
      } else {
        if (e.at !== node.tickAt) continue; // superseded by an earlier tick
        node.tickAt = Infinity;
        this.process(node, node.swim.tick(this.now));
      }
      if (stop?.()) return;
    }
    this.now = Math.max(this.now, until);
  }

  private process(node: SimNode, out: Output): void {
    for (const ev of out.events) for (const h of this.hooks) h(node, ev, this.now);
    this.checkSelf(node);
    for (const m of out.messages) {
      this.messagesSent++;
      const dest = this.nodes.get(m.to);
      if (!dest || dest.crashed) continue;
      if (this.partitioned?.(node.name, dest.name)) continue;
      if (!m.stream && this.loss > 0 && this.rand.intn(1_000_000) < this.loss * 1_000_000) continue;
      const min = this.opts.minLatencyMs ?? 1;
      const max = this.opts.maxLatencyMs ?? 5;
      const at = this.now + min + this.rand.intn(max - min + 1) + dest.slowMs;
      this.heap.push({ at, seq: this.seq++, addr: dest.addr, from: node.addr, msg: m.msg });
    }
    this.schedule(node);
  }

  private schedule(node: SimNode): void {
    const at = Math.max(this.now, node.swim.nextDeadline());
    if (at >= node.tickAt) return;
    node.tickAt = at;
    this.heap.push({ at, seq: this.seq++, addr: node.addr });
  }
}

/** Tracks, for every member, the set of others it believes alive. */
export class AliveViews {
  readonly views = new Map<string, Set<string>>();
  constructor(net: SimNetwork) {
    net.onEvent((node, e) => {
      let v = this.views.get(node.name);
      if (!v) {
        v = new Set();
        this.views.set(node.name, v);
      }
      if (e.type === 'join' || e.type === 'alive') v.add(e.member.name);
      else if (e.type === 'suspect' || e.type === 'dead' || e.type === 'leave') v.delete(e.member.name);
    });
  }
  /** True when each of `names` sees all the others alive. */
  complete(names: readonly string[]): boolean {
    for (const n of names) if ((this.views.get(n)?.size ?? 0) < names.length - 1) return false;
    return true;
  }
}
