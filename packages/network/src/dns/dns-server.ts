/**
 * The node's DNS server: UDP and TCP on one address, answering the cluster
 * zone from the store and forwarding the rest to the host's resolvers.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Logger } from '@shoal/log';
import type { Lookup } from './cluster-records.js';
import { Forwarder } from './forwarder.js';
import { RCode } from './message.js';
import { errorResponse, respond } from './responder.js';
import { parseResolvConf, upstreamsFrom } from './resolv-conf.js';

export interface DnsServerConfig {
  /** Address to listen on, e.g. the pod bridge's gateway. */
  host: string;
  /** 53 in production; 0 picks a free port (tests, or behind a DNAT rule). */
  port: number;
  /** Also serve DNS over TCP on the same port. Default true. */
  tcp?: boolean;
  /** Resolvers for names outside the cluster. See `hostUpstreams`. */
  upstreams: readonly string[];
  /** Default 1500 ms. */
  forwardTimeoutMs?: number;
  logger: Logger;
}

export class DnsServerError extends Error {
  override name = 'DnsServerError';
}

/** The host's resolvers from resolv.conf, minus loopback ones and our own addresses. */
export function hostUpstreams(ownAddresses: readonly string[], path = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return upstreamsFrom(parseResolvConf(text), ownAddresses);
}

export class DnsServer {
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<TcpSocket>();
  private readonly forwarder: Forwarder;
  private readonly log: Logger;
  private bound: { host: string; port: number } | undefined;

  constructor(private readonly lookup: Lookup, private readonly cfg: DnsServerConfig) {
    this.forwarder = new Forwarder({ upstreams: cfg.upstreams, timeoutMs: cfg.forwardTimeoutMs ?? 1500 });
    this.log = cfg.logger.child({ component: 'dns' });
  }

  get address(): { host: string; port: number } {
    if (!this.bound) throw new DnsServerError('DNS server is not started');
    return this.bound;
  }

  /**
   * Bind UDP, then TCP on the same port. With port 0 the kernel picks the UDP
   * port, and that port may be taken for TCP: then try again with another.
   */
  async start(): Promise<{ host: string; port: number }> {
    const attempts = this.cfg.port === 0 ? 5 : 1;
    for (let i = 1; ; i++) {
      try {
        return await this.bind();
      } catch (err) {
        await this.stop();
        if (i >= attempts) throw err;
      }
    }
  }

  private async bind(): Promise<{ host: string; port: number }> {
    const udp = createSocket({ type: isIPv6(this.cfg.host) ? 'udp6' : 'udp4' });
    this.udp = udp;
    await new Promise<void>((resolve, reject) => {
      udp.once('error', (err) => reject(new DnsServerError(`cannot bind udp ${this.cfg.host}:${this.cfg.port}`, { cause: err })));
      udp.bind(this.cfg.port, this.cfg.host, () => resolve());
    });
    udp.removeAllListeners('error');
    udp.on('error', (err) => this.log.warn('udp socket error', { err: String(err) }));
    udp.on('message', (msg, rinfo) => {
      void this.handle(new Uint8Array(msg), 'udp').then((out) => {
        if (out && this.udp) this.udp.send(out, rinfo.port, rinfo.address);
      });
    });
    const port = udp.address().port;
    if (this.cfg.tcp !== false) {
      const tcp = createServer((c) => this.serveTcp(c));
      this.tcp = tcp;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', (err) => reject(new DnsServerError(`cannot bind tcp ${this.cfg.host}:${port}`, { cause: err })));
        tcp.listen(port, this.cfg.host, () => resolve());
      });
    }
    this.bound = { host: this.cfg.host, port };
    this.log.info('dns server listening', { host: this.cfg.host, port, upstreams: this.cfg.upstreams });
    return this.bound;
  }

  private async handle(raw: Uint8Array, transport: 'udp' | 'tcp'): Promise<Uint8Array | undefined> {
    try {
      const d = respond(raw, this.lookup, transport);
      if (d.kind === 'answer') return d.response;
      if (d.kind === 'drop') return undefined;
      const answer = await this.forwarder.forward(raw);
      return answer ?? errorResponse(raw, RCode.SERVFAIL);
    } catch (err) {
      this.log.warn('dns query failed', { err: String(err) });
      return errorResponse(raw, RCode.SERVFAIL);
    }
  }

  /** DNS over TCP: each message is preceded by its length in two bytes. */
  private serveTcp(c: TcpSocket): void {
    this.conns.add(c);
    c.setTimeout(10_000, () => c.destroy());
    c.on('close', () => this.conns.delete(c));
    c.on('error', () => c.destroy());
    let buf = Buffer.alloc(0);
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = new Uint8Array(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        void this.handle(msg, 'tcp').then((out) => {
          if (!out || c.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length);
          c.write(Buffer.concat([head, out]));
        });
      }
    });
  }

  async stop(): Promise<void> {
    this.forwarder.close();
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => { try { udp.close(() => resolve()); } catch { resolve(); } });
    for (const c of this.conns) c.destroy();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp?.listening) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    this.bound = undefined;
  }
}
