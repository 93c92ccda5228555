/**
 * Forwards a raw query to the host's resolvers over UDP and returns the first
 * answer, or undefined after a bounded time: never a hang.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface ForwarderConfig {
  /** Resolver addresses; `host` or `host:port` (IPv4). Empty: nothing is forwarded. */
  upstreams: readonly string[];
  /** How long to wait for any upstream, ms. Default 1500. */
  timeoutMs?: number;
}

function split(upstream: string): { host: string; port: number } {
  if (!isIPv6(upstream)) {
    const m = /^(.*):(\d+)$/.exec(upstream);
    if (m) return { host: m[1]!, port: Number(m[2]) };
  }
  return { host: upstream, port: 53 };
}

export class Forwarder {
  private readonly timeoutMs: number;
  private readonly upstreams: { host: string; port: number }[];
  private readonly open = new Set<Socket>();

  constructor(cfg: ForwarderConfig) {
    this.timeoutMs = cfg.timeoutMs ?? 1500;
    this.upstreams = cfg.upstreams.map(split);
  }

  get enabled(): boolean {
    return this.upstreams.length > 0;
  }

  /** Sends to every upstream at once on a fresh socket; the first reply with our id wins. */
  forward(query: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.upstreams.length === 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const v6 = this.upstreams.some((u) => isIPv6(u.host));
      const sock = createSocket(v6 ? 'udp6' : 'udp4');
      this.open.add(sock);
      let done = false;
      const finish = (answer: Uint8Array | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.open.delete(sock);
        sock.close();
        resolve(answer);
      };
      const timer = setTimeout(() => finish(undefined), this.timeoutMs);
      sock.on('error', () => finish(undefined));
      sock.on('message', (msg) => {
        // Safety: only accept a reply carrying the query's id (spoofing, strays).
        if (msg.length >= 12 && msg[0] === query[0] && msg[1] === query[1]) finish(new Uint8Array(msg));
      });
      for (const u of this.upstreams) sock.send(query, u.port, u.host, () => undefined);
    });
  }

  close(): void {
    for (const s of this.open) s.close();
    this.open.clear();
  }
}
