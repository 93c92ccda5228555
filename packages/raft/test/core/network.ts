/**
 * Test helpers in the manner of etcd-io/raft's paper tests: Raft nodes wired
 * by an in-memory network that delivers messages at once, with drop, cut,
 * isolate, ignore and recover.
 */
import { MessageType, type Message, type NodeId } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { ProposalDroppedError } from '../../src/core/errors.js';
import { Raft } from '../../src/core/raft.js';
import type { RaftConfig } from '../../src/core/config.js';
import { makeMessage } from '../../src/core/message.js';
import { SeededRand } from '../../src/sim/prng.js';

export function ids(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => `n${i + 1}`);
}

/**
 * Storage for a member of `voters` with an empty log and term 1, so tests
 * see indexes from 1 (a real fresh node bootstraps its conf into the log).
 */
export function memberStorage(voters: NodeId[], learners: NodeId[] = []): MemoryStorage {
  return new MemoryStorage({ confState: { voters, learners }, hardState: { term: 1, vote: '', commit: 0 } });
}

export function newRaft(
  id: NodeId,
  voters: NodeId[],
  opts: Partial<RaftConfig> & { election?: number; heartbeat?: number; learners?: NodeId[] } = {},
): Raft {
  return new Raft({
    id,
    storage: opts.storage ?? memberStorage(voters, opts.learners ?? []),
    rand: opts.rand ?? new SeededRand(id.charCodeAt(id.length - 1)),
    electionTick: opts.election ?? 10,
    heartbeatTick: opts.heartbeat ?? 1,
    ...opts,
  });
}

/**
 * Tells the node its whole log is synced, as its driver would after a save:
 * a leader counts its own entries towards the quorum only from then on.
 */
export function synced(r: Raft): void {
  r.onPersisted(r.log.lastIndex(), r.log.lastTerm());
}

/**
 * Takes the node's outgoing messages (flushing batched appends first). The
 * network stands for drivers that sync before they send, so the node's log
 * counts as synced first.
 */
export function readMessages(r: Raft): Message[] {
  synced(r);
  r.flushAppends();
  const msgs = r.msgs;
  r.msgs = [];
  return msgs;
}

export function msg(m: Partial<Message> & { type: MessageType }): Message {
  return makeMessage(m);
}

export function prop(to: NodeId, ...data: string[]): Message {
  return msg({
    type: MessageType.Prop,
    from: to,
    to,
    entries: data.map((d) => ({ term: 0, index: 0, type: 0, data: new TextEncoder().encode(d) })),
  });
}

export function hup(id: NodeId): Message {
  return msg({ type: MessageType.Hup, from: id, to: id });
}

/** Steps a message as RawNode would for one from the network (dropped proposals ignored). */
export function deliver(r: Raft, m: Message): void {
  try {
    r.step(m);
  } catch (err) {
    if (!(err instanceof ProposalDroppedError)) throw err;
  }
}

export class Network {
  readonly peers = new Map<NodeId, Raft>();
  private readonly dropRate = new Map<string, number>();
  private readonly ignored = new Set<MessageType>();
  private readonly rand = new SeededRand(42);
  /** Every message delivered, for assertions. */
  readonly delivered: Message[] = [];

  constructor(rafts: Raft[]) {
    for (const r of rafts) this.peers.set(r.id, r);
  }

  /** A network of `n` fresh nodes n1..nn with the given options. */
  static of(n: number, opts: Parameters<typeof newRaft>[2] = {}): Network {
    const all = ids(n);
    return new Network(all.map((id) => newRaft(id, all, opts)));
  }

  peer(id: NodeId): Raft {
    const r = this.peers.get(id);
    if (r === undefined) throw new RangeError(`no peer ${id}`);
    return r;
  }

  /** Delivers the messages and everything they cause, until the network is quiet. */
  send(...msgs: Message[]): void {
    const queue = [...msgs];
    while (queue.length > 0) {
      const m = queue.shift()!;
      const p = this.peers.get(m.to);
      if (p === undefined) continue;
      this.delivered.push(m);
      deliver(p, m);
      for (const out of readMessages(p)) if (this.passes(out)) queue.push(out);
    }
  }

  /** Delivers what nodes already have queued (after ticks). */
  flush(): void {
    const out: Message[] = [];
    for (const p of this.peers.values()) for (const m of readMessages(p)) if (this.passes(m)) out.push(m);
    this.send(...out);
  }

  private passes(m: Message): boolean {
    if (this.ignored.has(m.type)) return false;
    const rate = this.dropRate.get(`${m.from}>${m.to}`) ?? 0;
    return !(rate > 0 && this.rand.next() < rate);
  }

  drop(from: NodeId, to: NodeId, rate: number): void {
    this.dropRate.set(`${from}>${to}`, rate);
  }

  cut(a: NodeId, b: NodeId): void {
    this.drop(a, b, 2);
    this.drop(b, a, 2);
  }

  isolate(id: NodeId): void {
    for (const o of this.peers.keys()) if (o !== id) this.cut(id, o);
  }

  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  recover(): void {
    this.dropRate.clear();
    this.ignored.clear();
  }

  /** Ticks every node `n` times, delivering what each round sends. */
  tick(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const p of this.peers.values()) p.tick();
      this.flush();
    }
  }
}

/** Entry data as strings, for comparing logs. */
export function logOf(r: Raft): string[] {
  const first = r.log.firstIndex();
  return r.log.slice(first, r.log.lastIndex() + 1).map((e) => `${e.term}:${new TextDecoder().decode(e.data)}`);
}
