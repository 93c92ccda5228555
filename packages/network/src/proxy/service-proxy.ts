/**
 * The per-node L4 (TCP) proxy. One listener per route (a service port's
 * virtual-IP target, or a NodePort); each accepted connection is piped to an
 * endpoint the route's Balancer picks. An endpoint that refuses or does not
 * answer before any byte has been forwarded is skipped and the next one tried.
 * Routes are replaced live with `apply`: established connections are never cut
 * by an update, only new connections see the new endpoints.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Logger } from '@shoal/log';
import { Balancer, backendKey, type Backend, type BalancerConfig } from './balancer.js';
import type { Rand } from './rand.js';

export interface ProxyRoute extends BalancerConfig {
  /** Stable identity, e.g. `default/web:http` or `default/web:http@nodeport`. */
  key: string;
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
  rand: Rand;
  now: () => number;
}

export class ProxyListenError extends Error {
  override name = 'ProxyListenError';
}

interface Listener {
  route: ProxyRoute;
  server: Server;
  balancer: Balancer;
  port: number;
}

export interface ProxyStats {
  /** Connections forwarded, by route key then endpoint `ip:port`. */
  forwarded: Record<string, Record<string, number>>;
  /** Connections closed because no endpoint could be reached. */
  rejected: number;
  /** Connection attempts to endpoints that failed (each was followed by a retry or a rejection). */
  failedDials: number;
  active: number;
}

const RETRYABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>();
  private readonly sockets = new Set<Socket>();
  private readonly log: Logger;
  private readonly connectTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly quarantineMs: number;
  /** Endpoint `ip:port` -> until when new connections avoid it. */
  private readonly quarantine = new Map<string, number>();
  private readonly forwarded = new Map<string, Map<string, number>>();
  private rejected = 0;
  private failedDials = 0;
  private stopped = false;

  constructor(private readonly cfg: ServiceProxyConfig) {
    this.log = cfg.logger.child({ component: 'proxy' });
    this.connectTimeoutMs = cfg.connectTimeoutMs ?? 1000;
    this.quarantineMs = cfg.quarantineMs ?? 5000;
    this.maxAttempts = cfg.maxAttempts ?? 3;
  }

  /**
   * Make the listeners match `routes`: open new ones, close those gone (their
   * established connections carry on), and hand new endpoints to the rest.
   * Returns the routes that could not listen (others are applied regardless).
   */
  async apply(routes: readonly ProxyRoute[]): Promise<ProxyListenError[]> {
    const wanted = new Map(routes.map((r) => [r.key, r]));
    for (const [key, l] of this.listeners) {
      const r = wanted.get(key);
      const moved = r !== undefined && (r.listen.host !== l.route.listen.host || (r.listen.port !== 0 && r.listen.port !== l.port));
      if (r === undefined || moved) {
        l.server.close();
        this.listeners.delete(key);
      }
    }
    const errors: ProxyListenError[] = [];
    for (const r of routes) {
      const l = this.listeners.get(r.key);
      if (l) {
        l.route = r;
        l.balancer.update(r);
        continue;
      }
      try {
        await this.open(r);
      } catch (err) {
        errors.push(err as ProxyListenError);
        this.log.warn('cannot listen', { route: r.key, host: r.listen.host, port: r.listen.port, err: String((err as Error).cause ?? err) });
      }
    }
    return errors;
  }

  /** The bound address of a route's listener (the DNAT target for VIP routes). */
  address(key: string): { host: string; port: number } | undefined {
    const l = this.listeners.get(key);
    return l && { host: l.route.listen.host, port: l.port };
  }

  stats(): ProxyStats {
    const forwarded: Record<string, Record<string, number>> = {};
    for (const [k, m] of this.forwarded) forwarded[k] = Object.fromEntries(m);
    return { forwarded, rejected: this.rejected, failedDials: this.failedDials, active: this.sockets.size };
  }

  private open(r: ProxyRoute): Promise<void> {
    const balancer = new Balancer(r, { rand: this.cfg.rand, now: this.cfg.now });
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(r.key, c));
    return new Promise((resolve, reject) => {
      server.once('error', (err) => reject(new ProxyListenError(`cannot listen on ${r.listen.host}:${r.listen.port} for ${r.key}`, { cause: err })));
      server.listen(r.listen.port, r.listen.host, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.log.warn('listener error', { route: r.key, err: String(err) }));
        const addr = server.address();
        const port = typeof addr === 'object' && addr ? addr.port : r.listen.port;
        if (this.stopped) { server.close(); resolve(); return; }
        this.listeners.set(r.key, { route: r, server, balancer, port });
        resolve();
      });
    });
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  private accept(key: string, client: Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const clientIP = client.remoteAddress ?? '';
    const tried = new Set<string>();
    const attempt = (): void => {
      // The listener may have been closed since; its last balancer still serves.
      const l = this.listeners.get(key);
      const b = tried.size < this.maxAttempts && l ? this.pick(l.balancer, clientIP, tried) : undefined;
      if (!b || client.destroyed) {
        if (!client.destroyed) {
          this.rejected++;
          this.log.debug('no endpoint reachable', { route: key, tried: [...tried] });
        }
        client.destroy();
        return;
      }
      tried.add(backendKey(b));
      this.dial(b, (err, upstream) => {
        if (err || !upstream) {
          this.failedDials++;
          this.log.debug('endpoint failed, trying the next', { route: key, endpoint: backendKey(b), code: (err as NodeJS.ErrnoException | undefined)?.code });
          // Safety: a retry is only possible because nothing from the client has
          // been read yet (pauseOnConnect), so no byte can reach two endpoints.
          if (RETRYABLE.has((err as NodeJS.ErrnoException | undefined)?.code ?? '')) {
            if (this.quarantineMs > 0) this.quarantine.set(backendKey(b), this.cfg.now() + this.quarantineMs);
            attempt();
          } else client.destroy();
          return;
        }
        if (client.destroyed) { upstream.destroy(); return; }
        this.quarantine.delete(backendKey(b));
        this.count(key, backendKey(b));
        this.splice(client, upstream);
      });
    };
    attempt();
  }

  /** Prefer endpoints not in quarantine; fall back to them when nothing else is left. */
  private pick(balancer: Balancer, clientIP: string, tried: ReadonlySet<string>): Backend | undefined {
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

  private dial(b: Backend, done: (err: Error | undefined, s?: Socket) => void): void {
    const s = connect({ host: b.ip, port: b.port, allowHalfOpen: true });
    this.track(s);
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      s.setTimeout(0);
      if (err) { s.destroy(); done(err); } else done(undefined, s);
    };
    s.setTimeout(this.connectTimeoutMs, () => settle(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
    s.once('connect', () => settle());
    s.once('error', (err) => settle(err));
  }

  /** Pipe both ways, honouring half-close; an error on either side ends both. */
  private splice(client: Socket, upstream: Socket): void {
    upstream.on('error', () => { upstream.destroy(); client.destroy(); });
    client.removeAllListeners('error');
    client.on('error', () => { client.destroy(); upstream.destroy(); });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => { if (client.writableEnded || !client.writable) client.destroy(); else client.end(); });
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  private count(key: string, endpoint: string): void {
    let m = this.forwarded.get(key);
    if (!m) this.forwarded.set(key, (m = new Map()));
    m.set(endpoint, (m.get(endpoint) ?? 0) + 1);
  }

  /** Close every listener and cut every connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    const closing = [...this.listeners.values()].map((l) => new Promise<void>((resolve) => l.server.close(() => resolve())));
    this.listeners.clear();
    for (const s of this.sockets) s.destroy();
    await Promise.all(closing);
  }
}
