/**
 * What the listeners of one ServiceProxy share: settings, the endpoint
 * quarantine, counters and the set of open sockets (cut at stop).
 */
import type { Logger } from '@shoal/log';
import type { Balancer, Backend, BalancerConfig } from './balancer.js';
import type { Rand } from './rand.js';

export interface ProxyRoute extends BalancerConfig {
  /** Stable identity, e.g. `default/web:http` or `default/web:http@nodeport`. */
  key: string;
  /** Default tcp. */
  protocol?: 'tcp' | 'udp';
  /** Where to listen; port 0 lets the kernel choose (VIP routes sit behind DNAT). */
  listen: { host: string; port: number };
}

export interface ServiceProxyConfig {
  logger: Logger;
  /** Per-endpoint connect timeout before trying the next one. Default 1000 ms (a local bridge answers in well under 1 ms). */
  connectTimeoutMs?: number;
  /**
   * After an endpoint fails to connect, new connections pass it over for this
   * long (unless nothing else is left), so a pod that just died costs one
   * retry rather than one per connection until the Endpoints update lands.
   * Default 5000 ms; 0 turns it off.
   */
  quarantineMs?: number;
  /** How many endpoints one connection may try. Default 3. */
  maxAttempts?: number;
  /** UDP: a client's flow to its endpoint is dropped after this long without traffic. Default 30000 ms. */
  udpIdleMs?: number;
  rand: Rand;
  now: () => number;
}

export interface ProxyStats {
  /** Connections (TCP) or flows (UDP) forwarded, by route key then endpoint `ip:port`. */
  forwarded: Record<string, Record<string, number>>;
  /** Connections closed because no endpoint could be reached. */
  rejected: number;
  /** Connection attempts to endpoints that failed (each was followed by a retry or a rejection). */
  failedDials: number;
  /** Open sockets: TCP connections (both sides) and UDP flows. */
  active: number;
}

export class ProxyContext {
  readonly log: Logger;
  readonly connectTimeoutMs: number;
  readonly maxAttempts: number;
  readonly quarantineMs: number;
  readonly udpIdleMs: number;
  /** Endpoint `ip:port` -> until when new connections avoid it. */
  private readonly quarantine = new Map<string, number>();
  private readonly forwarded = new Map<string, Map<string, number>>();
  readonly closers = new Set<{ destroy(): void }>();
  rejected = 0;
  failedDials = 0;

  constructor(readonly cfg: ServiceProxyConfig) {
    this.log = cfg.logger.child({ component: 'proxy' });
    this.connectTimeoutMs = cfg.connectTimeoutMs ?? 1000;
    this.quarantineMs = cfg.quarantineMs ?? 5000;
    this.maxAttempts = cfg.maxAttempts ?? 3;
    this.udpIdleMs = cfg.udpIdleMs ?? 30_000;
  }

  now(): number {
    return this.cfg.now();
  }

  /** Prefer endpoints not in quarantine; fall back to them when nothing else is left. */
  pick(balancer: Balancer, clientIP: string, tried: ReadonlySet<string>): Backend | undefined {
    if (this.quarantine.size > 0) {
      const now = this.cfg.now();
      const avoid = new Set(tried);
      for (const [k, until] of this.quarantine) {
        if (until <= now) this.quarantine.delete(k);
        else avoid.add(k);
      }
      const b = balancer.pick(clientIP, avoid);
      if (b) return b;
    }
    return balancer.pick(clientIP, tried);
  }

  failed(endpoint: string): void {
    this.failedDials++;
    if (this.quarantineMs > 0) this.quarantine.set(endpoint, this.cfg.now() + this.quarantineMs);
  }

  succeeded(route: string, endpoint: string): void {
    this.quarantine.delete(endpoint);
    let m = this.forwarded.get(route);
    if (!m) this.forwarded.set(route, (m = new Map()));
    m.set(endpoint, (m.get(endpoint) ?? 0) + 1);
  }

  stats(): ProxyStats {
    const forwarded: Record<string, Record<string, number>> = {};
    for (const [k, m] of this.forwarded) forwarded[k] = Object.fromEntries(m);
    return { forwarded, rejected: this.rejected, failedDials: this.failedDials, active: this.closers.size };
  }
}

export class ProxyListenError extends Error {
  override name = 'ProxyListenError';
}

/** One listening socket of the proxy, TCP or UDP. */
export interface RouteListener {
  route: ProxyRoute;
  readonly balancer: Balancer;
  /** The port actually bound. */
  readonly port: number;
  /** Stop accepting; established connections and flows carry on until stop. */
  close(): void;
  /** Stop accepting and wait until the socket is released. */
  closeAndWait(): Promise<void>;
}
