/**
 * GossipNode: the Swim core driven by real time, UDP datagrams for probes and
 * gossip, and a TCP exchange for push-pull (on the same port number). One
 * timer, armed at the core's next deadline. Events: 'event' (MemberEvent).
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '@shoal/log';
import { resolveConfig, type GossipConfig, type GossipProfile } from '../core/config.js';
import { seededRand, type Rand } from '../core/rand.js';
import { Swim } from '../core/swim.js';
import type { MemberEvent, MemberInfo, Message, Meta, Output } from '../core/types.js';
import { JoinFailedError, NotStartedError } from '../errors.js';
import { formatHostPort } from './address.js';
import { decodeMessage, encodeMessage } from './codec.js';
import { StreamTransport } from './stream-transport.js';
import { UdpTransport } from './udp-transport.js';

export interface GossipNodeOptions {
  name: string;
  bindAddress: string;
  /** 0 picks a free port (UDP first, then TCP on the same number). */
  bindPort: number;
  /** Address others reach us at; defaults to bindAddress (which must then not be 0.0.0.0). */
  advertiseAddress?: string;
  advertisePort?: number;
  meta?: Meta;
  profile?: GossipProfile;
  /** Field-by-field overrides of the profile. */
  config?: Partial<GossipConfig>;
  /** Messages carrying another cluster id are dropped. */
  clusterId: string;
  logger?: Logger;
  /** Milliseconds, monotonic; defaults to performance.now. */
  clock?: () => number;
  rand?: Rand;
}

export interface JoinOptions {
  /** Give up after this long (default: keep retrying until stop()). */
  timeoutMs?: number;
  /** Pause between rounds of attempts (default 1 s). */
  retryMs?: number;
}

export interface GossipNodeEvents { event: [MemberEvent] }

export class GossipNode extends EventEmitter<GossipNodeEvents> {
  readonly config: GossipConfig;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly udp: UdpTransport;
  private readonly stream: StreamTransport;
  private swim: Swim | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private replySeq = 0;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly opts: GossipNodeOptions) {
    super();
    this.config = resolveConfig(opts.profile ?? 'lan', opts.config ?? {});
    this.log = (opts.logger ?? silentLogger).child({ component: 'gossip', node: opts.name });
    this.clock = opts.clock ?? (() => performance.now());
    const onError = (err: Error): void => this.log.debug('transport error', { err: err.message });
    this.udp = new UdpTransport(onError);
    this.stream = new StreamTransport(onError);
  }

  /** Bind the UDP socket and the TCP listener, then start probing. */
  async start(): Promise<void> {
    const port = await this.udp.bind(this.opts.bindAddress, this.opts.bindPort, (buf, from) => this.onDatagram(buf, from));
    try {
      await this.stream.listen(this.opts.bindAddress, port, (buf, from) => this.onStream(buf, from));
    } catch (err) {
      await this.udp.close();
      throw err;
    }
    const host = this.opts.advertiseAddress ?? this.opts.bindAddress;
    const address = formatHostPort(host, this.opts.advertisePort ?? port);
    this.swim = new Swim({
      name: this.opts.name, address, meta: this.opts.meta ?? {}, config: this.config,
      rand: this.opts.rand ?? seededRand((Math.random() * 2 ** 32) >>> 0), now: this.clock(),
    });
    this.log.info('gossip started', { address, profile: this.opts.profile ?? 'lan' });
    this.arm();
  }

  /** The address others reach this member at (host:port). */
  get address(): string {
    return this.core('read its address').member(this.opts.name)?.address ?? '';
  }

  /** The clock member timestamps (`stateSince`) are in: pass it as `now` to decideAutopilot. */
  now(): number {
    return this.clock();
  }

  /**
   * Exchange state with every seed (host:port), retrying in rounds until at
   * least one answers. Resolves to how many answered. Our own address is
   * skipped, so a seed list naming every member works on each of them; with
   * no other seed this resolves to 0 at once (the first member of a cluster).
   */
  async join(allSeeds: string[], opts: JoinOptions = {}): Promise<number> {
    const swim = this.core('join');
    const self = this.address;
    const seeds = allSeeds.filter((s) => s !== self);
    if (seeds.length === 0) return 0;
    const deadline = opts.timeoutMs === undefined ? Infinity : this.clock() + opts.timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (this.stopped) throw new JoinFailedError(seeds, { cause: new NotStartedError('join') });
      const out = swim.join(this.clock(), seeds);
      const results = await Promise.allSettled(out.messages.map((o) => this.exchange(o.to, o.msg)));
      const answered = results.filter((r) => r.status === 'fulfilled' && r.value).length;
      if (answered > 0) {
        this.log.info('joined', { seeds, answered });
        return answered;
      }
      lastError = results.find((r) => r.status === 'rejected')?.reason;
      if (this.stopped || this.clock() >= deadline) throw new JoinFailedError(seeds, { cause: lastError });
      this.log.debug('join: no seed answered, retrying', { seeds });
      await this.sleep(Math.min(opts.retryMs ?? 1000, Math.max(0, deadline - this.clock())));
    }
  }

  members(): MemberInfo[] {
    return this.core('list members').members();
  }

  updateMeta(meta: Meta): void {
    this.process(this.core('update metadata').updateMeta(this.clock(), meta));
  }

  /** Announce a graceful leave and wait (a bounded time) until the news went out. */
  async leave(): Promise<void> {
    const swim = this.core('leave');
    this.process(swim.leave(this.clock()));
    const until = this.clock() + 10 * this.config.gossipIntervalMs + this.config.probeIntervalMs;
    while (swim.leaveBroadcast() && this.clock() < until && !this.stopped) await this.sleep(this.config.gossipIntervalMs / 2);
    this.log.info('left the cluster');
  }

  /** Close the sockets and stop the timer. Does not announce anything: call leave() first for a graceful exit. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const wake of this.wakers) wake();
    await Promise.all([this.udp.close(), this.stream.close()]);
  }

  // ---- plumbing ----------------------------------------------------------

  private core(what: string): Swim {
    if (!this.swim || this.stopped) throw new NotStartedError(what);
    return this.swim;
  }

  private onDatagram(buf: Buffer, from: string): void {
    if (!this.swim || this.stopped) return;
    const msg = this.decode(buf, from);
    if (!msg) return;
    try {
      this.process(this.swim.handle(this.clock(), from, msg));
    } catch (err) {
      this.log.error('failed to handle a datagram', { from, kind: msg.t, err: (err as Error).message });
    }
  }

  /** A push-pull request over TCP: the core's answer goes back on the same connection. */
  private onStream(buf: Buffer, from: string): Buffer | undefined {
    if (!this.swim || this.stopped) return undefined;
    const msg = this.decode(buf, from);
    if (!msg) return undefined;
    const token = `stream-reply-${++this.replySeq}`;
    const out = this.swim.handle(this.clock(), token, msg);
    const reply = out.messages.find((o) => o.to === token);
    this.process({ messages: out.messages.filter((o) => o.to !== token), events: out.events });
    return reply ? encodeMessage(this.opts.clusterId, reply.msg) : undefined;
  }

  private decode(buf: Buffer, from: string): Message | undefined {
    try {
      const msg = decodeMessage(this.opts.clusterId, buf);
      if (!msg) this.log.debug('dropped a message of another cluster', { from });
      return msg;
    } catch (err) {
      this.log.debug('dropped a malformed message', { from, err: (err as Error).message });
      return undefined;
    }
  }

  /** Push-pull with `to` over TCP; feeds the answer to the core. True if it answered. */
  private async exchange(to: string, msg: Message): Promise<boolean> {
    const reply = await this.stream.request(to, encodeMessage(this.opts.clusterId, msg), Math.max(1000, this.config.probeTimeoutMs * 4));
    if (!this.swim || this.stopped) return false;
    const answer = this.decode(reply, to);
    if (!answer) return false;
    this.process(this.swim.handle(this.clock(), to, answer));
    return true;
  }

  private process(out: Output): void {
    for (const o of out.messages) {
      if (o.stream) {
        this.exchange(o.to, o.msg).catch((err: Error) => this.log.debug('push-pull failed', { to: o.to, err: err.message }));
      } else {
        this.udp.send(o.to, encodeMessage(this.opts.clusterId, o.msg));
      }
    }
    this.arm();
    for (const e of out.events) {
      this.log.info(`member ${e.type}`, { member: e.member.name, incarnation: e.member.incarnation });
      try {
        this.emit('event', e);
      } catch (err) {
        // A listener's failure is its own: the protocol keeps running.
        this.log.error('member event listener failed', { event: e.type, member: e.member.name, err: (err as Error).message });
      }
    }
  }

  /** (Re)arm the single timer at the core's next deadline. */
  private arm(): void {
    if (!this.swim || this.stopped) return;
    const at = this.swim.nextDeadline();
    if (this.timer && at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      if (!this.swim || this.stopped) return;
      this.process(this.swim.tick(this.clock()));
    }, Math.max(0, Math.ceil(at - this.clock())));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        this.wakers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
