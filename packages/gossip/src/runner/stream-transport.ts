/**
 * A small TCP request/response for push-pull: full member lists outgrow a
 * datagram. One connection per exchange: the caller writes one frame (4-byte
 * big-endian length, then the bytes), the server answers with one frame.
 */
import net from 'node:net';
import { parseHostPort, formatHostPort } from './address.js';
import { FrameTooLargeError, StreamClosedError, StreamTimeoutError } from '../errors.js';

const MAX_FRAME = 32 * 1024 * 1024;

export type StreamHandler = (buf: Buffer, from: string) => Buffer | undefined;

function frame(buf: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(buf.length);
  return Buffer.concat([head, buf]);
}

/** Collect exactly one frame from a socket. */
function readFrame(socket: net.Socket, onFrame: (buf: Buffer) => void, onError: (err: Error) => void): void {
  let acc = Buffer.alloc(0);
  let done = false;
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    acc = Buffer.concat([acc, chunk]);
    if (acc.length < 4) return;
    const len = acc.readUInt32BE(0);
    if (len > MAX_FRAME) {
      done = true;
      onError(new FrameTooLargeError(len, MAX_FRAME));
      return;
    }
    if (acc.length < 4 + len) return;
    done = true;
    onFrame(acc.subarray(4, 4 + len));
  });
}

export class StreamTransport {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly onError: (err: Error) => void) {}

  async listen(host: string, port: number, handler: StreamHandler): Promise<void> {
    const server = net.createServer((socket) => {
      this.track(socket);
      socket.setTimeout(10_000, () => socket.destroy());
      readFrame(socket, (buf) => {
        const from = formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
        let reply: Buffer | undefined;
        try {
          reply = handler(buf, from);
        } catch (err) {
          this.onError(err as Error);
        }
        if (reply) socket.end(frame(reply));
        else socket.end();
      }, (err) => {
        this.onError(err);
        socket.destroy();
      });
      socket.on('error', (err) => this.onError(err));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Send one frame to `to` and wait for its one-frame answer. */
  request(to: string, buf: Buffer, timeoutMs: number): Promise<Buffer> {
    const { host, port } = parseHostPort(to);
    return new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect({ host, port });
      this.track(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new StreamTimeoutError(to, timeoutMs));
      }, timeoutMs);
      const finish = (err: Error | undefined, reply?: Buffer): void => {
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err);
        else resolve(reply as Buffer);
      };
      socket.on('error', (err) => finish(err));
      socket.on('end', () => finish(new StreamClosedError(to)));
      socket.on('connect', () => socket.write(frame(buf)));
      readFrame(socket, (reply) => finish(undefined, reply), (err) => finish(err));
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
