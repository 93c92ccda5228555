/**
 * The key-value state machine the simulation runs on Raft: puts and
 * compare-and-swaps, each tagged with a client id so the checker can tell
 * which proposal an entry is. Every value remembers the log index that wrote it.
 */
export type KvCommand =
  | { id: string; op: 'put'; key: string; value: string }
  | { id: string; op: 'cas'; key: string; expect: string; value: string };

export interface KvValue {
  value: string;
  /** Log index of the write that set it. */
  index: number;
}

export interface KvResult {
  ok: boolean;
  index: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeCommand(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

export function decodeCommand(b: Uint8Array): KvCommand | undefined {
  if (b.length === 0) return undefined;
  return JSON.parse(dec.decode(b)) as KvCommand;
}

export class KvStore {
  private data = new Map<string, KvValue>();

  apply(index: number, c: KvCommand): KvResult {
    if (c.op === 'cas') {
      const cur = this.data.get(c.key)?.value ?? '';
      if (cur !== c.expect) return { ok: false, index };
    }
    this.data.set(c.key, { value: c.value, index });
    return { ok: true, index };
  }

  get(key: string): KvValue | undefined {
    return this.data.get(key);
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify([...this.data.entries()]));
  }

  static restore(b: Uint8Array): KvStore {
    const kv = new KvStore();
    if (b.length > 0) kv.data = new Map(JSON.parse(dec.decode(b)) as [string, KvValue][]);
    return kv;
  }

  /** A canonical string of the whole state, for comparing replicas. */
  digest(): string {
    return JSON.stringify([...this.data.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }
}
