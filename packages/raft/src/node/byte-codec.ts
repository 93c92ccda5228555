/**
 * A small growable byte writer and a bounds-checked reader: unsigned varints
 * (any safe integer), length-prefixed bytes and strings. The building blocks
 * of the Raft wire and disk encodings in `codec.ts`.
 */

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder('utf-8', { fatal: true });

/**
 * `n` bytes, not zeroed, for the caller to fill: a view into Node's shared
 * buffer pool when small (under 4 KiB), so a message or an entry costs no
 * allocation of its own. `new Uint8Array(n)` took about 1.7 us each (a zeroed
 * backing store and its GC bookkeeping), a pooled view about 0.3 us. A plain
 * Uint8Array, not a Buffer: its `slice` copies.
 */
export function allocBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** Thrown when bytes end early or hold an impossible value. */
export class CodecError extends Error {
  override name = 'CodecError';
}

export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 64) {
    this.buf = allocBytes(initial);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = allocBytes(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  /** An unsigned integer up to 2^53-1, 7 bits per byte. */
  uvarint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new CodecError(`not an unsigned safe integer: ${v}`);
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    // Node ids and other short ASCII strings: write them directly.
    if (s.length < 128) {
      this.ensure(s.length + 1);
      const start = this.pos;
      this.buf[this.pos++] = s.length;
      let ascii = true;
      for (let i = 0; i < s.length && ascii; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) ascii = false;
        else this.buf[this.pos++] = c;
      }
      if (ascii) return;
      this.pos = start;
    }
    this.bytes(utf8.encode(s));
  }

  /** The bytes written so far (a view; copy if the writer is reused). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    const v = this.buf[this.pos];
    if (v === undefined) throw new CodecError(`truncated at byte ${this.pos}`);
    this.pos++;
    return v;
  }

  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new CodecError(`varint too long at byte ${this.pos}`);
    }
    if (!Number.isSafeInteger(v)) throw new CodecError(`varint out of range at byte ${this.pos}`);
    return v;
  }

  /** A length-prefixed byte string (a copy, so it outlives the source buffer). */
  bytes(): Uint8Array {
    const n = this.uvarint();
    if (this.pos + n > this.buf.length) throw new CodecError(`truncated: need ${n} bytes at byte ${this.pos}`);
    const out = allocBytes(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** A length-prefixed byte string as a view of the source (which it keeps alive; no copy). */
  view(): Uint8Array {
    const n = this.uvarint();
    if (this.pos + n > this.buf.length) throw new CodecError(`truncated: need ${n} bytes at byte ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const n = this.uvarint();
    if (this.pos + n > this.buf.length) throw new CodecError(`truncated: need ${n} bytes at byte ${this.pos}`);
    const start = this.pos;
    this.pos += n;
    if (n <= 64) {
      // Short ASCII (node ids): cheaper than a TextDecoder call.
      let s = '';
      for (let i = start; i < start + n; i++) {
        const c = this.buf[i]!;
        if (c >= 0x80) return utf8Decode.decode(this.buf.subarray(start, start + n));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8Decode.decode(this.buf.subarray(start, start + n));
  }

  /** Throws unless every byte was consumed (trailing bytes mean corruption). */
  end(): void {
    if (this.pos !== this.buf.length) throw new CodecError(`${this.buf.length - this.pos} trailing bytes`);
  }
}
