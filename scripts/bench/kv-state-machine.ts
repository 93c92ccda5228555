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

const SLICE = 5000;

export class KvStateMachine implements StateMachine {
  private data = new Map<string, Uint8Array>();
  /** Key and value bytes in `data`, kept up to date so a snapshot is sized without a pass. */
  private bytes = 0;

  get(key: Uint8Array): Uint8Array | undefined {
    return this.data.get(Buffer.from(key).toString('latin1'));
  }

  apply(e: Entry): unknown {
    const r = new ByteReader(e.data);
    const key = r.bytes();
    const value = r.bytes();
    const k = Buffer.from(key).toString('latin1');
    const old = this.data.get(k);
    this.bytes += k.length + value.length - (old ? k.length + old.length : 0);
    this.data.set(k, value);
    return undefined;
  }

  /**
   * Count, then length-prefixed key and value pairs (ByteReader's format),
   * written straight into one buffer sized up front. The map is copied at
   * once (a shallow copy: values are never mutated, `apply` replaces them)
   * and serialized in slices of SLICE keys with the event loop free in
   * between (for the node's pacing `pause` when it gives one), so a state
   * of megabytes does not stall ticks, heartbeats and requests (it did for
   * 100-200 ms at 10-13 MB) while the node goes on applying.
   */
  async snapshot(pause?: () => Promise<void>): Promise<Uint8Array> {
    const data = new Map(this.data);
    const out = Buffer.allocUnsafe(8 + this.bytes + 16 * data.size);
    let pos = putUvarint(out, 0, data.size);
    let n = 0;
    for (const [k, v] of data) {
      pos = putUvarint(out, pos, k.length);
      pos += out.write(k, pos, 'latin1');
      pos = putUvarint(out, pos, v.length);
      out.set(v, pos);
      pos += v.length;
      if (++n % SLICE === 0) await (pause ? pause() : new Promise((r) => setImmediate(r)));
    }
    return out.subarray(0, pos);
  }

  restore(data: Uint8Array): void {
    const r = new ByteReader(data);
    const next = new Map<string, Uint8Array>();
    for (let n = r.uvarint(); n > 0; n--) next.set(Buffer.from(r.bytes()).toString('latin1'), r.bytes());
    this.data = next;
    this.bytes = 0;
    for (const [k, v] of next) this.bytes += k.length + v.length;
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
