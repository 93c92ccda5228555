/**
 * The per-node L4 proxy. One listener per route (a service port's
 * virtual-IP target, or a NodePort), TCP or UDP; each connection (or UDP flow)
 * goes to an endpoint the route's Balancer picks. Routes are replaced live
 * with `apply`: established connections are never cut by an update, only new
 * connections see the new endpoints.
 */
import { ProxyContext, type ProxyListenError, type ProxyRoute, type ProxyStats, type RouteListener, type ServiceProxyConfig } from './proxy-context.js';
import { TcpRouteListener } from './tcp-listener.js';
import { UdpRouteListener } from './udp-listener.js';

export { ProxyListenError, type ProxyRoute, type ProxyStats, type ServiceProxyConfig } from './proxy-context.js';

export class ServiceProxy {
  private readonly listeners = new Map<string, RouteListener>();
  private readonly ctx: ProxyContext;
  private stopped = false;

  constructor(cfg: ServiceProxyConfig) {
    this.ctx = new ProxyContext(cfg);
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
      const moved = r !== undefined && (
        r.listen.host !== l.route.listen.host || (r.listen.port !== 0 && r.listen.port !== l.port) || (r.protocol ?? 'tcp') !== (l.route.protocol ?? 'tcp'));
      if (r === undefined || moved) {
        l.close();
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
        const opened = r.protocol === 'udp' ? await UdpRouteListener.listen(r, this.ctx) : await TcpRouteListener.listen(r, this.ctx);
        // stop() may have run while we were binding.
        if (this.stopped) opened.close();
        else this.listeners.set(r.key, opened);
      } catch (err) {
        errors.push(err as ProxyListenError);
        this.ctx.log.warn('cannot listen', { route: r.key, host: r.listen.host, port: r.listen.port, err: String((err as Error).cause ?? err) });
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
    return this.ctx.stats();
  }

  /** Close every listener and cut every connection and flow. */
  async stop(): Promise<void> {
    this.stopped = true;
    const closing = [...this.listeners.values()].map((l) => l.closeAndWait());
    this.listeners.clear();
    for (const s of [...this.ctx.closers]) s.destroy();
    await Promise.all(closing);
  }
}
