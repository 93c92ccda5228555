/**
 * A UDP listener of the proxy. Each client address (ip:port) gets a flow: a
 * socket connected to the endpoint the Balancer picked for it, relaying both
 * ways, closed after `udpIdleMs` without traffic or on an error (e.g. the
 * endpoint's port is closed: ICMP unreachable). The next datagram from that
 * client then starts a new flow, possibly to another endpoint.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Balancer, backendKey } from './balancer.js';
import { ProxyListenError, type ProxyContext, type ProxyRoute, type RouteListener } from './proxy-context.js';

interface Flow {
  upstream: Socket;
  lastSeen: number;
  destroy(): void;
}

export class UdpRouteListener implements RouteListener {
  readonly balancer: Balancer;
  port = 0;
  private sock: Socket | undefined;
  private readonly flows = new Map<string, Flow>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  private constructor(public route: ProxyRoute, private readonly ctx: ProxyContext) {
    this.balancer = new Balancer(route, { rand: ctx.cfg.rand, now: () => ctx.now() });
  }

  static async listen(route: ProxyRoute, ctx: ProxyContext): Promise<UdpRouteListener> {
    const l = new UdpRouteListener(route, ctx);
    const sock = createSocket(isIPv6(route.listen.host) ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', (err) => reject(new ProxyListenError(`cannot listen on udp ${route.listen.host}:${route.listen.port} for ${route.key}`, { cause: err })));
      sock.bind(route.listen.port, route.listen.host, () => resolve());
    });
    sock.removeAllListeners('error');
    sock.on('error', (err) => ctx.log.warn('udp listener error', { route: route.key, err: String(err) }));
    sock.on('message', (msg, from) => l.relay(msg, from.address, from.port));
    l.port = sock.address().port;
    l.sock = sock;
    const every = Math.max(10, Math.min(ctx.udpIdleMs, 5000));
    l.sweeper = setInterval(() => l.sweep(), every);
    l.sweeper.unref();
    return l;
  }

  private relay(msg: Buffer, ip: string, port: number): void {
    const id = `${ip}:${port}`;
    let flow = this.flows.get(id);
    if (!flow) {
      const b = this.ctx.pick(this.balancer, ip, new Set());
      if (!b) { this.ctx.rejected++; return; }
      const upstream = createSocket(isIPv6(b.ip) ? 'udp6' : 'udp4');
      const f: Flow = {
        upstream,
        lastSeen: this.ctx.now(),
        destroy: () => {
          if (this.flows.get(id) === f) this.flows.delete(id);
          this.ctx.closers.delete(f);
          try { upstream.close(); } catch { /* already closed */ }
        },
      };
      flow = f;
      this.flows.set(id, f);
      this.ctx.closers.add(f);
      upstream.on('message', (reply) => {
        f.lastSeen = this.ctx.now();
        this.sock?.send(reply, port, ip);
      });
      upstream.on('error', (err) => {
        this.ctx.log.debug('udp flow ended', { route: this.route.key, endpoint: backendKey(b), err: String(err) });
        if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') this.ctx.failed(backendKey(b));
        f.destroy();
      });
      upstream.connect(b.port, b.ip);
      this.ctx.succeeded(this.route.key, backendKey(b));
    }
    flow.lastSeen = this.ctx.now();
    const up = flow.upstream;
    // Datagrams sent before `connect` completes are queued by the socket.
    const send = (): void => up.send(msg, (err) => { if (err) flow!.destroy(); });
    try {
      send();
    } catch {
      up.once('connect', send);
    }
  }

  private sweep(): void {
    const cutoff = this.ctx.now() - this.ctx.udpIdleMs;
    for (const f of [...this.flows.values()]) if (f.lastSeen <= cutoff) f.destroy();
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    try { this.sock?.close(); } catch { /* already closed */ }
    this.sock = undefined;
    // Replies leave through the listening socket, which is gone: end the flows.
    for (const f of [...this.flows.values()]) f.destroy();
  }

  closeAndWait(): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
