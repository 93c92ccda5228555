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

  snapshot(): Uint8Array {
    const w = new ByteWriter(1024);
    w.uvarint(this.data.size);
    for (const [k, v] of this.data) {
      w.bytes(Buffer.from(k, 'latin1'));
      w.bytes(v);
    }
    return w.finish().slice();
  }

  restore(data: Uint8Array): void {
    const r = new ByteReader(data);
    const next = new Map<string, Uint8Array>();
    for (let n = r.uvarint(); n > 0; n--) next.set(Buffer.from(r.bytes()).toString('latin1'), r.bytes());
    this.data = next;
  }
}
