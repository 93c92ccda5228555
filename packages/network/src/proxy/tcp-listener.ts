/**
 * A TCP listener of the proxy: each accepted connection is piped to an
 * endpoint the route's Balancer picks. An endpoint that refuses or does not
 * answer before any byte has been forwarded is skipped and the next tried.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Balancer, backendKey, type Backend } from './balancer.js';
import { ProxyListenError, type ProxyContext, type ProxyRoute, type RouteListener } from './proxy-context.js';

/** An endpoint did not accept the connection in time. */
export class ConnectTimeoutError extends Error {
  override name = 'ConnectTimeoutError';
  readonly code = 'ETIMEDOUT';
}

const RETRYABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

export class TcpRouteListener implements RouteListener {
  readonly balancer: Balancer;
  port = 0;
  private server: Server | undefined;
  private open = true;

  private constructor(public route: ProxyRoute, private readonly ctx: ProxyContext) {
    this.balancer = new Balancer(route, { rand: ctx.cfg.rand, now: () => ctx.now() });
  }

  static async listen(route: ProxyRoute, ctx: ProxyContext): Promise<TcpRouteListener> {
    const l = new TcpRouteListener(route, ctx);
    // noDelay: a relay must not hold small writes back (Nagle) on either side.
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (c) => l.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ProxyListenError(`cannot listen on tcp ${route.listen.host}:${route.listen.port} for ${route.key}`, { cause: err })));
      server.listen(route.listen.port, route.listen.host, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', (err) => ctx.log.warn('listener error', { route: route.key, err: String(err) }));
    const addr = server.address();
    l.port = typeof addr === 'object' && addr ? addr.port : route.listen.port;
    l.server = server;
    return l;
  }

  close(): void {
    this.open = false;
    this.server?.close();
  }

  closeAndWait(): Promise<void> {
    this.open = false;
    const s = this.server;
    return s ? new Promise((resolve) => s.close(() => resolve())) : Promise.resolve();
  }

  private track(s: Socket): void {
    this.ctx.closers.add(s);
    s.once('close', () => this.ctx.closers.delete(s));
  }

  private accept(client: Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const clientIP = client.remoteAddress ?? '';
    const tried = new Set<string>();
    const key = this.route.key;
    const attempt = (): void => {
      // A closed listener's balancer still serves connections it accepted.
      const b = tried.size < this.ctx.maxAttempts ? this.ctx.pick(this.balancer, clientIP, tried) : undefined;
      if (!b || client.destroyed) {
        if (!client.destroyed) {
          this.ctx.rejected++;
          this.ctx.log.debug('no endpoint reachable', { route: key, tried: [...tried], open: this.open });
        }
        client.destroy();
        return;
      }
      tried.add(backendKey(b));
      this.dial(b, (err, upstream) => {
        if (err || !upstream) {
          this.ctx.log.debug('endpoint failed, trying the next', { route: key, endpoint: backendKey(b), code: (err as NodeJS.ErrnoException | undefined)?.code });
          // Safety: a retry is only possible because nothing from the client has
          // been read yet (pauseOnConnect), so no byte can reach two endpoints.
          if (RETRYABLE.has((err as NodeJS.ErrnoException | undefined)?.code ?? '')) {
            this.ctx.failed(backendKey(b));
            attempt();
          } else {
            this.ctx.failedDials++;
            client.destroy();
          }
          return;
        }
        if (client.destroyed) { upstream.destroy(); return; }
        this.ctx.succeeded(key, backendKey(b));
        this.splice(client, upstream);
      });
    };
    attempt();
  }

  private dial(b: Backend, done: (err: Error | undefined, s?: Socket) => void): void {
    const s = connect({ host: b.ip, port: b.port, allowHalfOpen: true, noDelay: true });
    this.track(s);
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      s.setTimeout(0);
      if (err) { s.destroy(); done(err); } else done(undefined, s);
    };
    s.setTimeout(this.ctx.connectTimeoutMs, () => settle(new ConnectTimeoutError(`no answer from ${b.ip}:${b.port} in ${this.ctx.connectTimeoutMs} ms`)));
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
}
