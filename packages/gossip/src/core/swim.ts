/**
 * The SWIM state machine with Lifeguard's extensions, pure: time comes in as
 * `now` (ms), randomness from an injected Rand, and every call returns the
 * messages to send and the membership events it produced. The runner (or the
 * simulator) calls `tick(now)` at or after `nextDeadline()` and `handle()` for
 * every message that arrives.
 *
 * Ordering of claims about a member: a higher incarnation always wins; at the
 * same incarnation suspect beats alive, dead beats both. Only the member itself
 * raises its incarnation (to refute a suspicion, or when it leaves), and only it
 * raises its metadata version, so (incarnation, metaVersion) orders its alive claims.
 */
import { Awareness } from './awareness.js';
import { BroadcastQueue } from './broadcast-queue.js';
import type { GossipConfig } from './config.js';
import { ProbeOrder } from './probe-order.js';
import { MemberTable } from './member-table.js';
import type { Rand } from './rand.js';
import { Suspicion, suspicionBounds } from './suspicion.js';
import type {
  MemberEvent, MemberEventType, MemberInfo, MemberState, Message, Meta, Outgoing, Output, PushPullMessage, Update,
} from './types.js';
import { MetaTooLargeError } from '../errors.js';

export interface SwimOptions {
  name: string;
  /** host:port others reach this member at. */
  address: string;
  meta?: Meta;
  config: GossipConfig;
  rand: Rand;
  now: number;
}

/** The probe in flight: one per probe interval. */
interface Probe {
  seq: number;
  target: string;
  indirectAt: number;
  deadline: number;
  indirectSent: boolean;
  expectedNacks: number;
  nacks: number;
}

/** A ping sent on behalf of another member (ping-req), awaiting the target's ack. */
interface Relay { requester: string; seq: number; deadline: number }

/** Bytes kept free in every datagram for the runner's envelope (cluster id, framing). */
const ENVELOPE_BYTES = 128;

export class Swim {
  readonly name: string;
  private readonly cfg: GossipConfig;
  private readonly rand: Rand;
  private readonly table: MemberTable;
  private readonly self: MemberInfo;
  private readonly order: ProbeOrder;
  private readonly awareness: Awareness;
  private readonly queue = new BroadcastQueue();
  private readonly suspicions = new Map<string, Suspicion>();
  private readonly relays = new Map<number, Relay>();
  private probe: Probe | undefined;
  private seq = 0;
  private nextProbeAt: number;
  private nextGossipAt: number;
  private nextPushPullAt: number;
  private nextReconnectAt: number;
  private nextReapAt = 0;
  private leaving = false;
  private out: Outgoing[] = [];
  private events: MemberEvent[] = [];

  constructor(opts: SwimOptions) {
    this.name = opts.name;
    this.cfg = opts.config;
    this.rand = opts.rand;
    this.table = new MemberTable(opts.name, opts.rand);
    this.order = new ProbeOrder(opts.rand);
    this.awareness = new Awareness(opts.config.awarenessMaxMultiplier);
    const meta = opts.meta ?? {};
    this.checkMeta(meta);
    this.self = { name: opts.name, address: opts.address, state: 'alive', incarnation: 0, meta, metaVersion: 0, stateSince: opts.now };
    this.table.add(this.self);
    // Announce ourselves: the first probes and gossip we send carry it.
    this.queue.push(this.aliveUpdate());
    // Start timers at a random phase so members do not probe in lockstep.
    this.nextProbeAt = opts.now + this.rand.intn(this.cfg.probeIntervalMs);
    this.nextGossipAt = opts.now + this.rand.intn(this.cfg.gossipIntervalMs);
    this.nextPushPullAt = opts.now + this.cfg.pushPullIntervalMs + this.rand.intn(Math.max(1, this.cfg.pushPullIntervalMs));
    this.nextReconnectAt = opts.now + this.cfg.reconnectIntervalMs + this.rand.intn(Math.max(1, this.cfg.reconnectIntervalMs));
  }

  // ---- inputs ----------------------------------------------------------

  /** Advance timers: probes, indirect probes, suspicion timeouts, gossip, push-pull, reaping. */
  tick(now: number): Output {
    for (const [name, s] of this.suspicions) {
      if (now >= s.deadline) this.onDead(now, { t: 'dead', node: name, inc: s.incarnation, from: this.name });
    }
    for (const [seq, r] of this.relays) {
      if (now < r.deadline) continue;
      // Lifeguard: tell the requester we could not reach the target, so it
      // learns that its own path to us works and does not blame itself.
      this.send(r.requester, { t: 'nack', seq: r.seq, from: this.name, up: [] });
      this.relays.delete(seq);
    }
    const p = this.probe;
    if (p) {
      if (!p.indirectSent && now >= p.indirectAt) this.probeIndirectly(p);
      if (now >= p.deadline) this.probeFailed(now, p);
    }
    if (!this.leaving && now >= this.nextProbeAt) this.startProbe(now);
    if (now >= this.nextGossipAt) this.gossip(now);
    if (this.cfg.pushPullIntervalMs > 0 && !this.leaving && now >= this.nextPushPullAt) this.pushPull(now);
    if (this.cfg.reconnectIntervalMs > 0 && !this.leaving && now >= this.nextReconnectAt) this.reconnect(now);
    this.reap(now);
    return this.flush();
  }

  /** A message from the member at address `from`. */
  handle(now: number, from: string, msg: Message): Output {
    if (msg.t === 'push-pull') {
      this.merge(now, msg);
      if (!msg.reply) this.out.push({ to: from, msg: this.pushPullMessage(msg.join, true), stream: true });
      return this.flush();
    }
    for (const u of msg.up) this.apply(now, u);
    switch (msg.t) {
      case 'ping':
        // A ping meant for a previous owner of this address is not ours to answer.
        if (msg.target === this.name) this.send(from, { t: 'ack', seq: msg.seq, from: this.name, up: [] });
        break;
      case 'ping-req': {
        const seq = ++this.seq;
        this.relays.set(seq, { requester: from, seq: msg.seq, deadline: now + this.cfg.probeTimeoutMs });
        this.send(msg.targetAddr, { t: 'ping', seq, target: msg.target, from: this.name, fromAddr: this.self.address, up: [] });
        break;
      }
      case 'ack':
        this.onAck(msg.seq);
        break;
      case 'nack':
        if (this.probe?.seq === msg.seq) this.probe.nacks++;
        break;
      case 'gossip':
        break;
    }
    return this.flush();
  }

  /** Exchange full state with each seed address (a push-pull marked as a join). */
  join(now: number, seeds: readonly string[]): Output {
    for (const to of seeds) this.out.push({ to, msg: this.pushPullMessage(true, false), stream: true });
    // One early anti-entropy round after joining: when many members join at
    // once, the seed's answer to the first ones lacks the later ones, and one
    // more exchange with a random member fills the gaps that gossip missed.
    if (this.cfg.pushPullIntervalMs > 0) {
      const soon = now + 2 * this.cfg.probeIntervalMs + this.rand.intn(2 * this.cfg.probeIntervalMs);
      this.nextPushPullAt = Math.min(this.nextPushPullAt, soon);
    }
    return this.flush();
  }

  /** Change this member's metadata; the change spreads by gossip. */
  updateMeta(now: number, meta: Meta): Output {
    this.checkMeta(meta);
    this.self.meta = meta;
    this.self.metaVersion++;
    this.queue.push(this.aliveUpdate());
    this.nextGossipAt = Math.min(this.nextGossipAt, now);
    return this.flush();
  }

  /**
   * Graceful leave: announce it (a dead claim made by the member itself, at a
   * new incarnation) and stop probing. Keep ticking until `leaveBroadcast()`
   * is false so the news goes out.
   */
  leave(now: number): Output {
    if (this.leaving) return this.flush();
    this.leaving = true;
    this.probe = undefined;
    this.self.incarnation++;
    this.self.state = 'left';
    this.self.stateSince = now;
    this.queue.push({ t: 'dead', node: this.name, inc: this.self.incarnation, from: this.name });
    this.nextGossipAt = now;
    return this.flush();
  }

  // ---- queries ---------------------------------------------------------

  /** True while this member's leave announcement still has transmissions to make. */
  leaveBroadcast(): boolean {
    return this.leaving && this.queue.has(this.name);
  }

  members(): MemberInfo[] {
    return [...this.table.values()].map((m) => ({ ...m }));
  }

  member(name: string): MemberInfo | undefined {
    const m = this.table.get(name);
    return m ? { ...m } : undefined;
  }

  get incarnation(): number {
    return this.self.incarnation;
  }

  /** Lifeguard local health score: 0 is healthy. */
  get health(): number {
    return this.awareness.health;
  }

  /** The earliest time `tick` has work to do. */
  nextDeadline(): number {
    let t = Math.min(this.nextGossipAt, this.leaving ? Infinity : this.nextProbeAt);
    if (this.cfg.pushPullIntervalMs > 0 && !this.leaving) t = Math.min(t, this.nextPushPullAt);
    if (this.cfg.reconnectIntervalMs > 0 && !this.leaving) t = Math.min(t, this.nextReconnectAt);
    const p = this.probe;
    if (p) t = Math.min(t, p.indirectSent ? p.deadline : p.indirectAt);
    for (const s of this.suspicions.values()) t = Math.min(t, s.deadline);
    for (const r of this.relays.values()) t = Math.min(t, r.deadline);
    return t;
  }

  // ---- probing ---------------------------------------------------------

  private startProbe(now: number): void {
    const interval = this.awareness.scale(this.cfg.probeIntervalMs);
    this.nextProbeAt = now + interval;
    const target = this.order.next((n) => this.isLive(n));
    if (target === undefined) return;
    const m = this.table.get(target) as MemberInfo;
    const seq = ++this.seq;
    this.probe = {
      seq, target, indirectSent: false, expectedNacks: 0, nacks: 0,
      indirectAt: now + this.awareness.scale(this.cfg.probeTimeoutMs),
      deadline: now + interval,
    };
    this.send(m.address, { t: 'ping', seq, target, from: this.name, fromAddr: this.self.address, up: [] });
  }

  private probeIndirectly(p: Probe): void {
    p.indirectSent = true;
    const target = this.table.get(p.target);
    if (!target) return;
    const helpers = this.table.pick(this.cfg.indirectChecks, (n) => n !== p.target && this.table.get(n)?.state === 'alive');
    for (const h of helpers) {
      const helper = this.table.get(h) as MemberInfo;
      this.send(helper.address, { t: 'ping-req', seq: p.seq, target: p.target, targetAddr: target.address, from: this.name, fromAddr: this.self.address, up: [] });
    }
    p.expectedNacks = helpers.length;
  }

  private onAck(seq: number): void {
    if (this.probe?.seq === seq) {
      this.probe = undefined;
      this.awareness.apply(-1);
      return;
    }
    const relay = this.relays.get(seq);
    if (relay) {
      this.relays.delete(seq);
      this.send(relay.requester, { t: 'ack', seq: relay.seq, from: this.name, up: [] });
    }
  }

  private probeFailed(now: number, p: Probe): void {
    this.probe = undefined;
    // Lifeguard: missing nacks mean our own messages are not getting through,
    // so we are the likely culprit; with no helpers at all, count one miss.
    const missing = p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1;
    if (missing > 0) this.awareness.apply(missing);
    const m = this.table.get(p.target);
    if (m && this.isLive(p.target)) this.onSuspect(now, { t: 'suspect', node: p.target, inc: m.incarnation, from: this.name });
  }

  // ---- dissemination ---------------------------------------------------

  private gossip(now: number): void {
    this.nextGossipAt = now + this.cfg.gossipIntervalMs;
    if (this.queue.size === 0) return;
    const targets = this.table.pick(this.cfg.gossipNodes, (n) => {
      const m = this.table.get(n);
      if (!m) return false;
      if (m.state === 'alive' || m.state === 'suspect') return true;
      // Gossip to the recently dead too, so one wrongly declared dead hears it and refutes.
      return m.state === 'dead' && now - m.stateSince < this.cfg.gossipToTheDeadMs;
    });
    for (const n of targets) {
      if (this.queue.size === 0) break;
      this.send((this.table.get(n) as MemberInfo).address, { t: 'gossip', from: this.name, up: [] });
    }
  }

  private pushPull(now: number): void {
    const n = this.table.size;
    // Fewer full exchanges per member in big clusters, so total traffic stays bounded.
    const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
    this.nextPushPullAt = now + this.cfg.pushPullIntervalMs * scale;
    const [peer] = this.table.pick(1, (name) => this.table.get(name)?.state === 'alive');
    if (peer === undefined) return;
    this.out.push({ to: (this.table.get(peer) as MemberInfo).address, msg: this.pushPullMessage(false, false), stream: true });
  }

  /**
   * Try one member we hold dead. If it answers, the exchange makes each side
   * see the other's claim about it and refute it, so the two merge again
   * (a healed partition, or a member wrongly declared dead long ago).
   */
  private reconnect(now: number): void {
    this.nextReconnectAt = now + this.cfg.reconnectIntervalMs;
    const [peer] = this.table.pick(1, (name) => this.table.get(name)?.state === 'dead');
    if (peer === undefined) return;
    this.out.push({ to: (this.table.get(peer) as MemberInfo).address, msg: this.pushPullMessage(false, false), stream: true });
  }

  private pushPullMessage(join: boolean, reply: boolean): PushPullMessage {
    const members: MemberState[] = [];
    for (const m of this.table.values()) {
      members.push({ node: m.name, addr: m.address, inc: m.incarnation, meta: m.meta, mv: m.metaVersion, status: m.state });
    }
    return { t: 'push-pull', from: this.name, fromAddr: this.self.address, join, reply, members };
  }

  /**
   * Fold a remote full state in. Remote deaths only make us suspect: we check
   * for ourselves. Alive claims learned here (except the sender's own) are
   * re-gossiped at low priority: they help members that missed them, but a
   * whole member list queued at every join must not bury fresh news.
   */
  private merge(now: number, msg: PushPullMessage): void {
    for (const s of msg.members) {
      switch (s.status) {
        case 'alive':
          this.onAlive(now, { t: 'alive', node: s.node, addr: s.addr, inc: s.inc, meta: s.meta, mv: s.mv }, s.node === msg.from);
          break;
        case 'left':
          this.onDead(now, { t: 'dead', node: s.node, inc: s.inc, from: s.node });
          break;
        case 'suspect':
        case 'dead':
          this.onSuspect(now, { t: 'suspect', node: s.node, inc: s.inc, from: msg.from });
          break;
      }
    }
  }

  /** Attach as many queued updates as fit in one datagram, then queue the message. */
  private send(to: string, msg: Exclude<Message, PushPullMessage>): void {
    const limit = this.retransmitLimit();
    const budget = this.cfg.maxPacketBytes - ENVELOPE_BYTES - JSON.stringify(msg).length;
    if (this.queue.size > 0 && budget > 0) msg.up = this.queue.take(budget, limit);
    this.out.push({ to, msg, stream: false });
  }

  // ---- applying claims -------------------------------------------------

  private apply(now: number, u: Update): void {
    if (u.t === 'alive') this.onAlive(now, u);
    else if (u.t === 'suspect') this.onSuspect(now, u);
    else this.onDead(now, u);
  }

  private onAlive(now: number, u: Extract<Update, { t: 'alive' }>, fresh = true): void {
    if (u.node === this.name) {
      if (this.leaving || u.inc < this.self.incarnation) return;
      if (u.inc === this.self.incarnation && u.mv <= this.self.metaVersion) return;
      // Someone holds a claim about us from a previous life: outbid it.
      this.refute(u.inc);
      return;
    }
    const m = this.table.get(u.node);
    if (!m) {
      const info: MemberInfo = { name: u.node, address: u.addr, state: 'alive', incarnation: u.inc, meta: u.meta, metaVersion: u.mv, stateSince: now };
      this.table.add(info);
      this.order.add(u.node);
      this.emit('join', info);
      this.spread(u, fresh);
      return;
    }
    if (m.state === 'dead' || m.state === 'left') {
      // A dead member comes back only with a newer incarnation (it restarted and refuted).
      if (u.inc <= m.incarnation) return;
      Object.assign(m, { address: u.addr, state: 'alive', incarnation: u.inc, meta: u.meta, metaVersion: u.mv, stateSince: now });
      this.emit('join', m);
      this.spread(u, fresh);
      return;
    }
    const newer = u.inc > m.incarnation || (u.inc === m.incarnation && u.mv > m.metaVersion);
    if (!newer) return;
    const changed = u.mv !== m.metaVersion || u.addr !== m.address;
    Object.assign(m, { address: u.addr, meta: u.meta, metaVersion: u.mv });
    // Refuting a suspicion takes a higher incarnation; a metadata change alone does not clear it.
    if (m.state === 'suspect' && u.inc > m.incarnation) {
      this.suspicions.delete(m.name);
      m.state = 'alive';
      m.stateSince = now;
      m.incarnation = u.inc;
      this.emit('alive', m);
    }
    m.incarnation = Math.max(m.incarnation, u.inc);
    if (changed) this.emit('update', m);
    this.spread(u, fresh);
  }

  private onSuspect(now: number, u: Extract<Update, { t: 'suspect' }>): void {
    const m = this.table.get(u.node);
    if (!m || u.inc < m.incarnation) return;
    if (u.node === this.name) {
      if (!this.leaving) this.refute(u.inc);
      return;
    }
    if (m.state === 'dead' || m.state === 'left') return;
    if (m.state === 'suspect') {
      // An independent confirmation shortens the timeout; pass it on so others count it too.
      if (this.suspicions.get(m.name)?.confirm(u.from)) this.queue.push(u);
      return;
    }
    m.state = 'suspect';
    m.incarnation = u.inc;
    m.stateSince = now;
    const n = this.table.size;
    // Confirmations can come from everyone but the suspect and ourselves.
    const k = n - 2 < this.cfg.suspicionMult - 2 ? 0 : this.cfg.suspicionMult - 2;
    const { minMs, maxMs } = suspicionBounds(n, this.cfg.probeIntervalMs, this.cfg.suspicionMult, this.cfg.suspicionMaxTimeoutMult);
    this.suspicions.set(m.name, new Suspicion(u.inc, now, k, minMs, maxMs, u.from));
    this.emit('suspect', m);
    this.queue.push(u);
  }

  private onDead(now: number, u: Extract<Update, { t: 'dead' }>): void {
    const m = this.table.get(u.node);
    if (!m || u.inc < m.incarnation) return;
    if (m.state === 'dead' || m.state === 'left') return;
    if (u.node === this.name) {
      // Nobody but ourselves may declare us gone: refute unless we are leaving.
      if (!this.leaving) this.refute(u.inc);
      return;
    }
    this.suspicions.delete(m.name);
    const left = u.from === u.node;
    m.state = left ? 'left' : 'dead';
    m.incarnation = u.inc;
    m.stateSince = now;
    if (this.probe?.target === m.name) this.probe = undefined;
    this.emit(left ? 'leave' : 'dead', m);
    this.queue.push(u);
  }

  /** Queue an update: fresh news first; old news learned in bulk goes out a few times, last. */
  private spread(u: Update, fresh: boolean): void {
    if (fresh) {
      this.queue.push(u);
      return;
    }
    const limit = this.retransmitLimit();
    this.queue.push(u, Math.max(0, limit - this.cfg.retransmitMult));
  }

  private retransmitLimit(): number {
    return this.cfg.retransmitMult * Math.ceil(Math.log10(this.table.size + 1));
  }

  /** Outbid a claim about ourselves at incarnation `inc`. */
  private refute(inc: number): void {
    this.self.incarnation = Math.max(this.self.incarnation, inc) + 1;
    // Lifeguard: being suspected hints that we are the slow one.
    this.awareness.apply(1);
    this.queue.push(this.aliveUpdate());
  }

  private aliveUpdate(): Update {
    const s = this.self;
    return { t: 'alive', node: s.name, addr: s.address, inc: s.incarnation, meta: s.meta, mv: s.metaVersion };
  }

  // ---- bookkeeping -----------------------------------------------------

  /** Forget members dead or gone for longer than deadReapMs. */
  private reap(now: number): void {
    if (now < this.nextReapAt) return;
    this.nextReapAt = now + this.cfg.probeIntervalMs;
    for (const m of this.table.values()) {
      if ((m.state !== 'dead' && m.state !== 'left') || m === this.self) continue;
      if (now - m.stateSince < this.cfg.deadReapMs) continue;
      this.table.remove(m.name);
      this.order.remove(m.name);
      this.queue.remove(m.name);
    }
  }

  private isLive(name: string): boolean {
    const s = this.table.get(name)?.state;
    return s === 'alive' || s === 'suspect';
  }

  private checkMeta(meta: Meta): void {
    const size = JSON.stringify(meta).length;
    if (size > this.cfg.maxMetaBytes) throw new MetaTooLargeError(size, this.cfg.maxMetaBytes);
  }

  private emit(type: MemberEventType, m: MemberInfo): void {
    this.events.push({ type, member: { ...m } });
  }

  private flush(): Output {
    const out: Output = { messages: this.out, events: this.events };
    this.out = [];
    this.events = [];
    return out;
  }
}
