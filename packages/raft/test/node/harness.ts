/** A cluster of RaftNodes in one process over MemoryNetwork and MemoryLogStores. */
import {
  MemoryLogStore, MemoryNetwork, RaftNode, type Entry, type RaftNodeConfig, type StateMachine,
} from '../../src/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A key-value state machine: "key=value" sets and returns the previous value. */
export class KvMachine implements StateMachine {
  data = new Map<string, string>();
  appliedIndexes: number[] = [];
  restores = 0;

  apply(e: Entry): unknown {
    this.appliedIndexes.push(e.index);
    const [k, v] = dec.decode(e.data).split('=') as [string, string];
    const prev = this.data.get(k);
    this.data.set(k, v);
    return prev;
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify([...this.data]));
  }

  restore(data: Uint8Array): void {
    this.restores++;
    this.data = new Map(JSON.parse(dec.decode(data)) as Array<[string, string]>);
  }
}

export const put = (k: string, v: string): Uint8Array => enc.encode(`${k}=${v}`);

export interface Member {
  id: string;
  node: RaftNode;
  sm: KvMachine;
  store: MemoryLogStore;
}

export class Cluster {
  readonly net = new MemoryNetwork();
  readonly members = new Map<string, Member>();
  readonly stores = new Map<string, MemoryLogStore>();

  constructor(readonly ids: string[], private readonly extra: Partial<RaftNodeConfig> = {}) {}

  async startAll(): Promise<void> {
    for (const id of this.ids) await this.start(id);
  }

  /** Starts (or restarts) a member from whatever its store holds. */
  async start(id: string): Promise<Member> {
    let store = this.stores.get(id);
    if (!store) {
      store = new MemoryLogStore();
      this.stores.set(id, store);
    }
    const sm = new KvMachine();
    const node = new RaftNode({
      id, peers: this.ids, logStore: store, transport: this.net.join(id), stateMachine: sm,
      tickMs: 10, heartbeatMs: 30, electionMs: 300, requestTimeoutMs: 5000, ...this.extra,
    });
    await node.start();
    const m = { id, node, sm, store };
    this.members.set(id, m);
    return m;
  }

  async stop(id: string): Promise<void> {
    const m = this.members.get(id);
    this.members.delete(id);
    await m?.node.stop();
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.members.keys()]) await this.stop(id);
  }

  leader(): Member | undefined {
    for (const m of this.members.values()) {
      const s = m.node.status();
      if (s.role === 'leader' && s.leader === m.id) return m;
    }
    return undefined;
  }

  async waitLeader(ms = 5000): Promise<Member> {
    let l: Member | undefined;
    await until(() => {
      l = this.leader();
      return l !== undefined && [...this.members.values()].every((m) => m.node.status().leader === l!.id);
    }, 'a leader every member knows', ms);
    return l!;
  }
}

export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
