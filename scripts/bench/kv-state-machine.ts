/**
 * The benchmark's replicated key-value map: a proposal is a key and a value
 * in the Raft codec's length-prefixed form; apply sets it.
 */
import { ByteReader, ByteWriter, type Entry, type StateMachine } from '@shoal/raft';

export function encodePut(key: Uint8Array, value: Uint8Array): Uint8Array {
  const w = new ByteWriter(key.length + value.length + 8);
  w.bytes(key);
  w.bytes(value);
  return w.finish().slice();
}

export class KvStateMachine implements StateMachine {
  private data = new Map<string, Uint8Array>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.data.get(Buffer.from(key).toString('latin1'));
  }

  apply(e: Entry): unknown {
    const r = new ByteReader(e.data);
    const key = r.bytes();
    const value = r.bytes();
    this.data.set(Buffer.from(key).toString('latin1'), value);
    return undefined;
  }

  /**
   * Count, then length-prefixed key and value pairs (ByteReader's format),
   * written straight into one buffer sized up front: a map of megabytes is
   * serialized without regrowing or per-key allocations, so the snapshot
   * stalls the event loop as little as possible.
   */
  snapshot(): Uint8Array {
    let size = 8;
    for (const [k, v] of this.data) size += k.length + v.length + 16;
    const out = Buffer.allocUnsafe(size);
    let pos = putUvarint(out, 0, this.data.size);
    for (const [k, v] of this.data) {
      pos = putUvarint(out, pos, k.length);
      pos += out.latin1Write(k, pos);
      pos = putUvarint(out, pos, v.length);
      out.set(v, pos);
      pos += v.length;
    }
    return out.subarray(0, pos);
  }

  restore(data: Uint8Array): void {
    const r = new ByteReader(data);
    const next = new Map<string, Uint8Array>();
    for (let n = r.uvarint(); n > 0; n--) next.set(Buffer.from(r.bytes()).toString('latin1'), r.bytes());
    this.data = next;
  }
}

function putUvarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}
