/**
 * Docker multiplexes stdout and stderr of non-TTY containers into frames:
 * 8-byte header (stream type, 3 zero bytes, big-endian length), then payload.
 */
export interface Frames {
  stdout: Buffer[];
  stderr: Buffer[];
  /** Both streams in the order written. */
  all: Buffer[];
}

export function demuxBuffer(buf: Buffer): Frames {
  const out: Frames = { stdout: [], stderr: [], all: [] };
  let off = 0;
  while (off + 8 <= buf.length) {
    const type = buf[off];
    const len = buf.readUInt32BE(off + 4);
    const payload = buf.subarray(off + 8, off + 8 + len);
    (type === 2 ? out.stderr : out.stdout).push(payload);
    out.all.push(payload);
    off += 8 + len;
  }
  return out;
}

/** Incremental demuxer for a followed stream: feed chunks, get payloads. */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);
  constructor(private readonly emit: (stream: 1 | 2, payload: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const len = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + len) break;
      this.emit(this.pending[0] === 2 ? 2 : 1, this.pending.subarray(8, 8 + len));
      this.pending = this.pending.subarray(8 + len);
    }
  }
}
