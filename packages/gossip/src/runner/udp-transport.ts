/** Datagrams for probes and gossip (node:dgram), one socket for send and receive. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { parseHostPort, formatHostPort } from './address.js';

export type DatagramHandler = (buf: Buffer, from: string) => void;

export class UdpTransport {
  private socket: dgram.Socket | undefined;

  constructor(private readonly onError: (err: Error) => void) {}

  async bind(host: string, port: number, onMessage: DatagramHandler): Promise<number> {
    const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    socket.on('message', (buf, rinfo) => onMessage(buf, formatHostPort(rinfo.address, rinfo.port)));
    socket.on('error', (err) => this.onError(err));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    return socket.address().port;
  }

  send(to: string, buf: Buffer): void {
    if (!this.socket) return;
    let host: string, port: number;
    try {
      ({ host, port } = parseHostPort(to));
    } catch (err) {
      this.onError(err as Error); // a peer gossiped a bad address: not our crash
      return;
    }
    this.socket.send(buf, port, host, (err) => {
      if (err) this.onError(err);
    });
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
