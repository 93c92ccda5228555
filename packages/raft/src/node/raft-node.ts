/**
 * RaftNode: drives the pure core (`RawNode`) with a ticker, a durable
 * `LogStore`, a `Transport` and the application's `StateMachine`.
 *
 * One loop handles each Ready strictly in order: persist (hard state,
 * entries and snapshot in one synced batch) -> send -> apply -> advance.
 * What needs no local sync goes first: a leader's appends leave and
 * committed entries are applied while the batch syncs.
 * Proposals that arrive while a batch is being synced pile up in the core
 * and go out together in the next Ready: many proposals share one fsync.
 */
import { silentLogger, type Logger } from '@shoal/log';
import { MemoryStorage, ProposalDroppedError, RawNode, decodeConfChange, persistPlan } from '../core/index.js';
import {
  EntryType,
  MessageType,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type NodeId,
  type Rand,
  type HardState,
  type Ready,
  type Snapshot,
  Role,
} from '../types.js';
import type { LogStore } from './log-store.js';
import type { StateMachine } from './state-machine.js';
import type { Transport } from './transport.js';
import { resolveNodeConfig, type RaftNodeConfig, type ResolvedNodeConfig } from './node-config.js';
import { LeaderChangedError, NoLeaderError, NotLeaderError, RaftTimeoutError, StoppedError } from './errors.js';
import { encodeRequestId, decodeRequestId, unwrapRequest, wrapRequest, type RequestId } from './request-envelope.js';
import { Waiters } from './waiters.js';

export interface ProposeResult {
  /** The log index the entry committed at. */
  index: number;
  /** What `StateMachine.apply` returned for it on this node. */
  result: unknown;
}

export interface RequestOptions {
  timeoutMs?: number;
}

export interface RaftNodeStatus {
  id: NodeId;
  term: number;
  /** The leader this node knows of, '' if none. */
  leader: NodeId | '';
  role: string;
  commit: number;
  applied: number;
  conf: ConfState;
  /** Index of the newest snapshot (0 if none). */
  snapshotIndex: number;
  /** On the leader: each member's replication progress. */
  progress?: Record<NodeId, { match: number; next: number; state: string }>;
}

/** Counters since start, for metrics and benchmarks. */
export interface RaftNodeMetrics {
  readies: number;
  /** Synced `LogStore.save` calls (one fsync each) and the time spent in them. */
  saves: number;
  saveMs: number;
  /** Batches that only moved the commit index: written unsynced, not waited for (not in `saves`). */
  commitOnlySaves: number;
  entriesPersisted: number;
  messagesSent: number;
  entriesApplied: number;
  proposals: number;
  /** Prop messages a follower sent to the leader, and the proposals in them. */
  forwards: number;
  forwardedProposals: number;
  /** Time a paced snapshot left the event loop to other work between its pieces (see snapshotPacer). */
  snapshotPauseMs: number;
  /** Messages sent, and committed entries applied, while a Ready's batch was being synced. */
  sentWhileSaving: number;
  appliedWhileSaving: number;
  /** Sum over this node's resolved proposals of the time from propose to apply. */
  proposeToApplyMs: number;
  proposalsApplied: number;
}

export interface SnapshotInfo {
  index: number;
  term: number;
  /** Size of the state machine's snapshot data. */
  sizeBytes: number;
}

export type LeaderChangeHandler = (leader: NodeId | '', term: number) => void;
export type ConfChangeHandler = (cc: ConfChange, conf: ConfState) => void;

const mathRand: Rand = { intn: (n) => Math.floor(Math.random() * n) };
/** A paced snapshot pauses this many times as long as its last piece took (see snapshotPacer)... */
const SNAPSHOT_IDLE_FACTOR = 3;
/** ...but never longer than this. */
const SNAPSHOT_MAX_PAUSE_MS = 20;

export class RaftNode {
  private readonly cfg: ResolvedNodeConfig;
  private readonly log: Logger;
  private readonly store: LogStore;
  private readonly transport: Transport;
  private readonly sm: StateMachine;
  private storage!: MemoryStorage;
  private raw!: RawNode;
  private ticker: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private started = false;
  private stopped = false;
  private kickPending = false;
  /** A Ready's batch is being written (see flushWhileSaving). */
  private saving = false;
  private midSaveFlushPending = false;
  /** A snapshot whose state machine data is still being serialized. */
  private snapshotting: Promise<void> | undefined;
  /** Set when a message from the current leader arrives (see startTicker). */
  private heardFromLeader = false;

  private applied = 0;
  private savedHard: HardState = { term: 0, vote: '', commit: 0 };
  private snapshotIndex = 0;
  private conf: ConfState = { voters: [], learners: [] };
  private leader: NodeId | '' = '';
  private role: Role = Role.Follower;
  /** This interval's stretch of the snapshot thresholds, in [1, 1.5) (see nextSnapshotSpread). */
  private snapshotSpread = 1;
  /** Bytes of the entries applied since the last snapshot, and that snapshot's size (see maybeSnapshot). */
  private logBytesSinceSnapshot = 0;
  private lastSnapshotBytes = 0;
  private term = 0;

  /** Request ids: this node, a per-process incarnation, a counter. */
  private readonly incarnation: number;
  private seq = 0;
  private readonly proposals: Waiters<number, ProposeResult>;
  /** Proposals a follower forwards to the leader at the end of this event-loop turn. */
  private forwardQueue: Entry[] = [];
  private snapshotRequests: Array<{ resolve(i: SnapshotInfo): void; reject(e: Error): void }> = [];
  private readonly reads: Waiters<number, void>;
  /** Reads whose ReadIndex is known, waiting for `applied` to reach it. */
  private readIndexes: Array<{ seq: number; index: number }> = [];
  private readonly confWaiters: Array<{ cc: ConfChange; done: (e?: Error) => void }> = [];
  private readonly counters: RaftNodeMetrics = {
    readies: 0, saves: 0, saveMs: 0, commitOnlySaves: 0, snapshotPauseMs: 0, entriesPersisted: 0, messagesSent: 0, entriesApplied: 0, proposals: 0, forwards: 0, forwardedProposals: 0,
    proposeToApplyMs: 0, proposalsApplied: 0, sentWhileSaving: 0, appliedWhileSaving: 0,
  };
  private readonly leaderHandlers = new Set<LeaderChangeHandler>();
  private readonly confHandlers = new Set<ConfChangeHandler>();

  constructor(private readonly config: RaftNodeConfig) {
    this.cfg = resolveNodeConfig(config);
    this.log = (config.logger ?? silentLogger).child({ component: 'raft', node: config.id });
    this.store = config.logStore;
    this.transport = config.transport;
    this.sm = config.stateMachine;
    // Wall-clock milliseconds plus randomness: unique enough across restarts of one node.
    this.incarnation = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    this.proposals = new Waiters('proposal');
    this.reads = new Waiters('read barrier');
  }

  get id(): NodeId {
    return this.config.id;
  }

  /** Recovers from the store (or bootstraps a fresh cluster), then starts ticking and serving. */
  async start(): Promise<void> {
    if (this.started) throw new Error('RaftNode already started');
    this.started = true;
    const loaded = await this.store.load();
    const fresh = loaded.hardState.term === 0 && loaded.entries.length === 0 && !loaded.snapshot && loaded.confState.voters.length === 0;
    let conf = loaded.confState;
    if (fresh) {
      conf = { voters: [...this.config.peers], learners: [] };
      await this.store.save({ confState: conf, entries: [] });
    }
    this.snapshotSpread = this.nextSnapshotSpread();
    this.storage = new MemoryStorage({ confState: conf });
    if (loaded.snapshot) {
      this.storage.applySnapshot(loaded.snapshot);
      this.sm.restore(loaded.snapshot.data);
      this.applied = loaded.snapshot.metadata.index;
      this.snapshotIndex = this.applied;
      this.lastSnapshotBytes = loaded.snapshot.data.length;
    }
    this.storage.setHardState(loaded.hardState);
    this.storage.append(loaded.entries);
    this.savedHard = loaded.hardState;
    this.conf = conf;
    this.raw = new RawNode({
      id: this.config.id,
      storage: this.storage,
      rand: this.config.rand ?? mathRand,
      logger: this.log,
      electionTick: this.cfg.electionTick,
      heartbeatTick: this.cfg.heartbeatTick,
      applied: this.applied,
      preVote: true,
      checkQuorum: true,
      ...(this.config.maxSizePerMsg !== undefined && { maxSizePerMsg: this.config.maxSizePerMsg }),
      ...(this.config.maxInflightMsgs !== undefined && { maxInflightMsgs: this.config.maxInflightMsgs }),
      ...(this.config.maxUncommittedEntriesSize !== undefined && { maxUncommittedEntriesSize: this.config.maxUncommittedEntriesSize }),
    });
    this.log.info('raft node started', {
      fresh, term: loaded.hardState.term, commit: loaded.hardState.commit, applied: this.applied,
      entries: loaded.entries.length, voters: conf.voters, electionTick: this.cfg.electionTick, heartbeatTick: this.cfg.heartbeatTick,
    });
    this.transport.onMessage((m) => this.onMessage(m));
    this.startTicker();
    this.loop = this.run();
  }

  /**
   * Ticks follow the wall clock: when the event loop runs the timer late
   * (GC, a long burst of callbacks, a busy machine), the missed ticks are
   * delivered too, so an election timeout of N ms stays N ms rather than N
   * ms of timer callbacks (at most one election timeout's worth is caught
   * up).
   *
   * But only ONE tick is delivered in the timer callback itself; the rest
   * wait for `setImmediate`. Node runs the timers phase before the poll
   * phase, so after a stall the ticker would otherwise count a whole
   * election timeout before reading the leader's heartbeats (or a leader
   * its followers' answers) that already sit in the socket: a follower
   * would call a spurious election and a leader would step down for lack of
   * a quorum it actually has. `setImmediate` runs after the poll phase, so
   * those messages are stepped first. And when a follower heard from its
   * leader in between, the deferred ticks are dropped: they stand for time
   * spent stalled before those messages were read, and counting them after
   * the messages reset the election timer would overstate the leader's
   * silence. (Go's time.Ticker drops ticks a slow receiver misses; here the
   * wall clock is kept unless the leader proves it was there all along.)
   */
  private startTicker(): void {
    let lastTick = performance.now();
    let deferred = false;
    this.ticker = setInterval(() => {
      const now = performance.now();
      const due = Math.min(Math.floor((now - lastTick) / this.cfg.tickMs), this.cfg.electionTick);
      lastTick = due === this.cfg.electionTick ? now : lastTick + due * this.cfg.tickMs;
      if (due === 0) return;
      this.raw.tick();
      this.kick();
      if (due === 1 || deferred) return;
      deferred = true;
      this.heardFromLeader = false;
      setImmediate(() => {
        deferred = false;
        if (this.stopped || (this.heardFromLeader && this.role !== Role.Leader)) return;
        for (let i = 1; i < due; i++) this.raw.tick();
        this.kick();
      });
    }, this.cfg.tickMs);
  }

  /**
   * Replicates `data` and resolves once THIS node has applied it, with the
   * state machine's result. Works on any node (followers forward to the
   * leader). Rejects with NoLeaderError / NotLeaderError (leader hint),
   * LeaderChangedError or RaftTimeoutError (outcome unknown: the entry may
   * still commit) or StoppedError.
   */
  propose(data: Uint8Array, opts: RequestOptions = {}): Promise<ProposeResult> {
    if (this.stopped || !this.started) return Promise.reject(new StoppedError());
    // The core's view, not the last one handleReady published: a node that
    // just won an election leads already while its Ready waits for the disk.
    const { lead, role } = this.raw.raft;
    if (lead === '') return Promise.reject(new NoLeaderError());
    this.counters.proposals++;
    const seq = ++this.seq;
    const id: RequestId = { node: this.config.id, incarnation: this.incarnation, seq };
    const t0 = performance.now();
    const done = this.proposals.wait(seq, opts.timeoutMs ?? this.cfg.requestTimeoutMs, this.coreEpoch()).then((r) => {
      this.counters.proposalsApplied++;
      this.counters.proposeToApplyMs += performance.now() - t0;
      return r;
    });
    const wrapped = wrapRequest(id, data);
    if (role === Role.Follower && lead !== this.config.id) {
      this.forward(wrapped);
      return done;
    }
    try {
      this.raw.propose(wrapped);
    } catch (err) {
      this.proposals.reject(seq, this.refusal(err));
      return done;
    }
    this.kick();
    return done;
  }

  /**
   * A linearizable read fence: resolves once this node has applied
   * everything committed when the call was made (ReadIndex, confirmed by
   * a quorum of the leader's heartbeats). Works on followers.
   */
  readBarrier(opts: RequestOptions = {}): Promise<void> {
    if (this.stopped || !this.started) return Promise.reject(new StoppedError());
    if (this.raw.raft.lead === '') return Promise.reject(new NoLeaderError());
    const seq = ++this.seq;
    const done = this.reads.wait(seq, opts.timeoutMs ?? this.cfg.requestTimeoutMs, this.coreEpoch());
    try {
      this.raw.readIndex(encodeRequestId({ node: this.config.id, incarnation: this.incarnation, seq }));
    } catch (err) {
      this.reads.reject(seq, this.refusal(err));
      return done;
    }
    this.kick();
    return done;
  }

  /**
   * Proposes a membership change and resolves when this node applies a
   * change of the same type for the same node. One change at a time.
   */
  proposeConfChange(cc: ConfChange, opts: RequestOptions = {}): Promise<void> {
    if (this.stopped || !this.started) return Promise.reject(new StoppedError());
    const timeoutMs = opts.timeoutMs ?? this.cfg.requestTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        cc,
        done: (e?: Error) => {
          clearTimeout(timer);
          const i = this.confWaiters.indexOf(waiter);
          if (i >= 0) this.confWaiters.splice(i, 1);
          if (e) reject(e);
          else resolve();
        },
      };
      const timer = setTimeout(() => waiter.done(new RaftTimeoutError('conf change', timeoutMs)), timeoutMs);
      this.confWaiters.push(waiter);
      try {
        this.raw.proposeConfChange(cc);
      } catch (err) {
        waiter.done(this.refusal(err));
        return;
      }
      this.kick();
    });
  }

  /** Asks the leader to hand over to `to`; resolves when `to` leads. */
  transferLeadership(to: NodeId, opts: RequestOptions = {}): Promise<void> {
    if (this.stopped || !this.started) return Promise.reject(new StoppedError());
    if (this.leader === to) return Promise.resolve();
    const timeoutMs = opts.timeoutMs ?? this.cfg.requestTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const off = this.onLeaderChange((leader) => {
        if (leader !== to) return;
        clearTimeout(timer);
        off();
        resolve();
      });
      const timer = setTimeout(() => {
        off();
        reject(new RaftTimeoutError(`leader transfer to ${to}`, timeoutMs));
      }, timeoutMs);
      this.raw.transferLeadership(to);
      this.kick();
    });
  }

  /**
   * Runs a subscriber's handler. A handler that throws is logged and the
   * node goes on: it runs inside the Ready loop, where an exception means
   * a failed disk and stops the node.
   */
  private notify(what: string, handler: () => void): void {
    try {
      handler();
    } catch (err) {
      this.log.error(`${what} handler failed`, { error: String(err) });
    }
  }

  /** The leadership a request made now is made under: term and leader, from the core. */
  private coreEpoch(): string {
    return `${this.raw.raft.term}/${this.raw.raft.lead}`;
  }

  status(): RaftNodeStatus {
    const s = this.started ? this.raw.status() : undefined;
    return {
      id: this.config.id,
      term: s?.term ?? 0,
      leader: s?.lead ?? '',
      role: s?.role ?? 'follower',
      commit: s?.commit ?? 0,
      applied: this.applied,
      conf: { voters: [...this.conf.voters], learners: [...this.conf.learners] },
      snapshotIndex: this.snapshotIndex,
      ...(s?.progress && { progress: Object.fromEntries(Object.entries(s.progress).map(([k, v]) => [k, { ...v, state: String(v.state) }])) }),
    };
  }

  metrics(): RaftNodeMetrics {
    return { ...this.counters };
  }

  /** Called with the new leader ('' while there is none); returns an unsubscribe function. */
  onLeaderChange(cb: LeaderChangeHandler): () => void {
    this.leaderHandlers.add(cb);
    return () => this.leaderHandlers.delete(cb);
  }

  /** Called after each membership change is applied (e.g. to add the peer's address to the transport). */
  onConfChange(cb: ConfChangeHandler): () => void {
    this.confHandlers.add(cb);
    return () => this.confHandlers.delete(cb);
  }

  /** Stops ticking, fails waiting requests, finishes the Ready in hand, closes transport and store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    this.kick();
    await this.loop?.catch(() => undefined);
    await this.snapshotting;
    const stopped = new StoppedError();
    this.proposals.rejectAll(stopped);
    this.reads.rejectAll(stopped);
    for (const w of [...this.confWaiters]) w.done(stopped);
    for (const r of this.snapshotRequests.splice(0)) r.reject(stopped);
    await this.transport.close();
    await this.store.close();
    this.log.info('raft node stopped', { applied: this.applied });
  }

  /**
   * A follower hands proposals to the leader itself, as the core would but
   * without waiting for the next Ready (which may sit behind an fsync): all
   * proposals of one event-loop turn go out as one Prop message. A lost one
   * surfaces as LeaderChangedError or a timeout, exactly as when the core
   * forwards it.
   */
  private forward(data: Uint8Array): void {
    this.forwardQueue.push({ term: 0, index: 0, type: EntryType.Normal, data });
    if (this.forwardQueue.length > 1) return;
    // After the poll phase, like kick(): the proposals of every request
    // read in this turn share one message (a microtask ran after each
    // request, so each went alone).
    setImmediate(() => {
      const entries = this.forwardQueue;
      this.forwardQueue = [];
      const lead = this.raw.raft.lead;
      if (this.stopped || lead === '' || lead === this.config.id) {
        // The leader changed within this turn: let the core take them.
        for (const e of entries) {
          try {
            this.raw.propose(e.data);
          } catch {
            // Pending callers learn it through LeaderChangedError or their timeout.
          }
        }
        this.kick();
        return;
      }
      this.counters.forwards++;
      this.counters.forwardedProposals += entries.length;
      this.transport.send([{
        type: MessageType.Prop, from: this.config.id, to: lead, term: 0, logTerm: 0, index: 0,
        entries, commit: 0, reject: false, rejectHint: 0,
      }]);
    });
  }

  private refusal(err: unknown): Error {
    if (err instanceof ProposalDroppedError) {
      return err.leader === '' ? new NoLeaderError({ cause: err }) : new NotLeaderError(err.leader, { cause: err });
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  private onMessage(m: Message): void {
    if (this.stopped) return;
    if (m.from === this.leader && (m.type === MessageType.Heartbeat || m.type === MessageType.App || m.type === MessageType.Snap)) this.heardFromLeader = true;
    try {
      if (m.type === MessageType.Unreachable) this.raw.reportUnreachable(m.from);
      else if (m.type === MessageType.SnapStatus) this.raw.reportSnapshot(m.from, !m.reject);
      else this.raw.step(m);
    } catch (err) {
      this.log.debug('message refused by raft', { from: m.from, type: MessageType[m.type], error: String(err) });
    }
    this.kick();
  }

  /**
   * Wakes the Ready loop, not at once but with `setImmediate`, after the
   * poll phase: every proposal, message and tick of one event-loop turn
   * (all the client requests and peer frames read from the sockets) then
   * goes into one Ready, so one fsync, one append per follower and one
   * answer per append cover them all. Waking it for each event made a
   * Ready (and a save) of one or two entries whenever the loop was idle.
   */
  private kick(): void {
    if (this.saving) {
      this.flushWhileSaving();
      return;
    }
    if (this.kickPending || this.wakeUp === undefined) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      const w = this.wakeUp;
      this.wakeUp = undefined;
      w?.();
    });
  }

  /**
   * While a Ready's batch is being synced, the Ready loop waits, but what
   * arrives meanwhile need not: once per event-loop turn (as kick() wakes
   * the loop), the messages that promise nothing about this node's disk go
   * out (a leader's appends and commit index, forwarded requests; see
   * sendsBeforePersist), and committed entries are applied, those in the
   * batch being synced included (see RawNode.committedToApply). So a slow
   * fsync on one member holds up only what waits for that member's disk: a
   * leader whose own save lags commits with its followers (it counts itself
   * only once synced, see Raft.onPersisted) and applies at once, and a
   * follower applies what is committed without waiting for its own save.
   * Nothing happens while the term or vote is not yet synced.
   */
  private flushWhileSaving(): void {
    if (this.midSaveFlushPending) return;
    this.midSaveFlushPending = true;
    setImmediate(() => {
      this.midSaveFlushPending = false;
      if (!this.saving || this.stopped) return;
      const { messages, entries } = this.raw.whileSyncing(this.savedHard, this.applied, this.raw.raft.cfg.maxCommittedSizePerReady);
      if (messages.length > 0) {
        this.transport.send(messages);
        this.counters.messagesSent += messages.length;
        this.counters.sentWhileSaving += messages.length;
      }
      if (entries.length === 0) return;
      for (const e of entries) this.applyEntry(e);
      this.counters.appliedWhileSaving += entries.length;
      this.releaseReads();
    });
  }

  /**
   * Takes a snapshot of the state machine at the applied index now and
   * compacts the log behind it (as the size trigger does), between two
   * Readies. Resolves with the snapshot's position and data size; when
   * nothing was applied since the last snapshot, with that one.
   */
  snapshotNow(): Promise<SnapshotInfo> {
    if (this.stopped || !this.started) return Promise.reject(new StoppedError());
    return new Promise<SnapshotInfo>((resolve, reject) => {
      this.snapshotRequests.push({ resolve, reject });
      this.kick();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.snapshotRequests.length > 0) {
        const requests = this.snapshotRequests;
        this.snapshotRequests = [];
        try {
          if (this.applied > this.snapshotIndex) await this.maybeSnapshot(true);
          const snap = this.storage.snapshot();
          for (const r of requests) r.resolve({ index: snap.metadata.index, term: snap.metadata.term, sizeBytes: snap.data.length });
        } catch (err) {
          for (const r of requests) r.reject(err instanceof Error ? err : new Error(String(err)));
        }
        continue;
      }
      if (!this.raw.hasReady()) {
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        continue;
      }
      try {
        await this.handleReady(this.raw.ready());
        this.raw.advance();
        await this.maybeSnapshot();
      } catch (err) {
        this.fail(err);
        return;
      }
    }
  }

  /**
   * A failed write or a corrupt state: continuing could acknowledge what is
   * not durable. Stop the node instead.
   */
  private fail(err: unknown): void {
    this.log.error('raft node failed; stopping', { error: String(err), stack: (err as Error).stack });
    void this.stop();
  }

  private async handleReady(rd: Ready): Promise<void> {
    const soft = rd.softState;
    const leaderChanged = soft !== undefined && soft.lead !== this.leader;
    if (soft && leaderChanged) {
      this.leader = soft.lead;
      this.term = rd.hardState?.term ?? this.raw.raft.term;
      this.log.info('leader changed', { leader: this.leader, term: this.term });
      for (const cb of this.leaderHandlers) this.notify('leader change', () => cb(this.leader, this.term));
    }

    if (soft) this.role = soft.role;

    // 0. Messages that promise nothing about this node's disk go out while
    //    the batch is being synced: proposals and reads forwarded to the
    //    leader, and a leader's appends and heartbeats (Raft thesis 10.2.1).
    //    Any commit index those carry never rests on this leader's own
    //    unsynced entries, and nothing is acknowledged before this batch is
    //    durable. Votes and append responses wait (step 2).
    const hs = rd.hardState;
    const { write, early, late } = persistPlan(rd, this.savedHard, this.role === Role.Leader);
    if (early.length > 0) this.transport.send(early);

    // Committed entries are applied right away, while this batch syncs,
    // even those the batch itself holds: a quorum has them on disk already
    // (see RawNode.committedToApply). Step 3 skips them.
    const committed = this.raw.committedToApply(this.applied, this.raw.raft.cfg.maxCommittedSizePerReady);
    for (const e of committed) this.applyEntry(e);
    if (committed.length > 0) this.releaseReads();

    // 1. Persist: one batch. Nothing below (a vote, an append
    //    acknowledgement) may leave this node before it is durable. The
    //    batch is synced unless it only moves the commit index, which can be
    //    learned again from the leader (etcd's MustSync rule). Such a batch
    //    is not waited for either: nothing depends on it, and the store
    //    writes batches in the order they are handed to it.
    this.counters.readies++;
    if (write === 'commitOnly' && hs) {
      this.store.save({ entries: [], sync: false, hardState: hs }).catch((err: unknown) => this.fail(err));
      this.savedHard = hs;
      this.counters.commitOnlySaves++;
    } else if (write === 'sync') {
      const t0 = performance.now();
      this.saving = true;
      try {
        await this.store.save({
          entries: rd.entries,
          ...(hs && { hardState: hs }),
          ...(rd.snapshot && { snapshot: rd.snapshot }),
        });
      } finally {
        this.saving = false;
      }
      if (hs) this.savedHard = hs;
      this.counters.saves++;
      this.counters.saveMs += performance.now() - t0;
      this.counters.entriesPersisted += rd.entries.length;
    }
    if (rd.snapshot) this.storage.applySnapshot(rd.snapshot);
    if (rd.hardState) this.storage.setHardState(rd.hardState);
    this.storage.append(rd.entries);

    // 2. Send.
    if (late.length > 0) this.transport.send(late);
    this.counters.messagesSent += rd.messages.length;
    this.counters.entriesApplied += rd.committedEntries.length;

    // 3. Apply: a received snapshot first, then committed entries.
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    for (const e of rd.committedEntries) this.applyEntry(e);
    for (const rs of rd.readStates) {
      const id = decodeRequestId(rs.requestId);
      if (id && id.node === this.config.id && id.incarnation === this.incarnation && this.reads.has(id.seq)) {
        this.readIndexes.push({ seq: id.seq, index: rs.index });
      }
    }
    this.releaseReads();
    // Requests still pending that went to (or through) an earlier leader
    // may be lost with it: tell the callers now rather than at their
    // timeout. Those made under the leadership this Ready announces (the
    // core may lead before its Ready is handled) stay.
    if (leaderChanged) {
      const err = new LeaderChangedError(this.leader);
      const epoch = `${this.term}/${this.leader}`;
      this.proposals.rejectOutside(epoch, err);
      this.reads.rejectOutside(epoch, err);
      this.readIndexes = this.readIndexes.filter((r) => this.reads.has(r.seq));
    }
  }

  private installSnapshot(s: Snapshot): void {
    this.sm.restore(s.data);
    this.applied = s.metadata.index;
    this.snapshotIndex = s.metadata.index;
    this.lastSnapshotBytes = s.data.length;
    this.logBytesSinceSnapshot = 0;
    this.conf = { voters: [...s.metadata.conf.voters], learners: [...s.metadata.conf.learners] };
    this.log.info('installed snapshot', { index: s.metadata.index, term: s.metadata.term, bytes: s.data.length });
  }

  private applyEntry(e: Entry): void {
    if (e.index <= this.applied) return;
    this.logBytesSinceSnapshot += e.data.length;
    if (e.type === EntryType.ConfChange) {
      this.applyConfChange(e);
    } else if (e.data.length > 0) {
      const { id, payload } = unwrapRequest(e.data);
      const result = this.sm.apply({ ...e, data: payload });
      if (id.node === this.config.id && id.incarnation === this.incarnation) {
        this.proposals.resolve(id.seq, { index: e.index, result });
      }
    }
    this.applied = e.index;
  }

  private applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    this.conf = this.raw.applyConfChange(cc);
    this.log.info('membership changed', { index: e.index, type: cc.type, node: cc.node, voters: this.conf.voters, learners: this.conf.learners });
    for (const cb of this.confHandlers) this.notify('configuration change', () => cb(cc, this.conf));
    const w = this.confWaiters.find((x) => x.cc.type === cc.type && x.cc.node === cc.node);
    w?.done();
  }

  private releaseReads(): void {
    if (this.readIndexes.length === 0) return;
    const waiting: Array<{ seq: number; index: number }> = [];
    for (const r of this.readIndexes) {
      if (r.index <= this.applied) this.reads.resolve(r.seq, undefined);
      else if (this.reads.has(r.seq)) waiting.push(r);
    }
    this.readIndexes = waiting;
  }

  /**
   * Log-size-triggered snapshot: the state machine's state replaces old
   * entries. A state machine whose `snapshot()` returns a promise is not
   * waited for: the Ready loop goes on committing and applying while it
   * serializes (its promise holds the state as of the call), and the log
   * is compacted when it resolves. One snapshot at a time; `force` (from
   * `snapshotNow`) waits for one in progress and then takes its own.
   */
  private async maybeSnapshot(force = false): Promise<void> {
    if (this.snapshotting) {
      if (!force) return;
      await this.snapshotting;
      if (this.applied <= this.snapshotIndex) return;
    }
    if (!force && !this.snapshotDue()) return;
    this.snapshotSpread = this.nextSnapshotSpread();
    this.logBytesSinceSnapshot = 0;
    const index = this.applied;
    const conf: ConfState = { voters: [...this.conf.voters], learners: [...this.conf.learners] };
    const t0 = performance.now();
    // A forced snapshot (snapshotNow) is waited for: it runs unpaced.
    const data = force ? this.sm.snapshot() : this.sm.snapshot(this.snapshotPacer());
    if (data instanceof Uint8Array) {
      await this.compactTo(index, conf, data, t0);
      return;
    }
    const done = data.then(
      (d) => this.compactTo(index, conf, d, t0),
      (err: unknown) => this.log.error('state machine snapshot failed', { index, error: String(err) }),
    ).catch((err: unknown) => this.fail(err)).finally(() => {
      this.snapshotting = undefined;
    });
    this.snapshotting = done;
    if (force) await done;
  }

  /**
   * Enough entries since the last snapshot, and enough bytes: at least
   * `snapshotLogRatio` times the last snapshot's size, or
   * `snapshotMaxLogBytes` whatever the state's size (memory and restart
   * replay stay bounded). Every threshold is stretched by this interval's
   * spread.
   */
  private snapshotDue(): boolean {
    const f = this.snapshotSpread;
    if (this.applied - this.snapshotIndex < this.cfg.snapshotEntries * f) return false;
    const bytes = this.logBytesSinceSnapshot;
    return bytes >= this.cfg.snapshotLogRatio * this.lastSnapshotBytes * f || bytes >= this.cfg.snapshotMaxLogBytes * f;
  }

  /**
   * A factor in [1, 1.5), drawn afresh for each interval between snapshots,
   * so that the members of a group, which apply the same entries, do not
   * all stop to snapshot at the same moment (measured: when they did, the
   * group's writes stalled together). It stretches the byte thresholds as
   * well as the entry count: with a large state the byte rule decides, and
   * when only the count was spread the members still snapshotted within a
   * few hundred entries of each other.
   */
  private nextSnapshotSpread(): number {
    return 1 + (this.config.rand ?? mathRand).intn(1000) / 2000;
  }

  /**
   * The pause between a snapshot's pieces. A snapshot is background work:
   * encoding 20 MB of state took 100-300 ms of a member's CPU, and run
   * piece after piece (one each event-loop turn) it took a third to two
   * thirds of a core for that long, so every write through the member
   * slowed at once: one-second dips in the bench's timeline. Each pause now
   * leaves the loop to other work for SNAPSHOT_IDLE_FACTOR times as long as
   * the piece before it took (at most SNAPSHOT_MAX_PAUSE_MS), so a snapshot
   * uses at most a quarter of a core and takes longer. Once the node is
   * stopping, pieces follow each other at once (stop waits for the
   * snapshot).
   */
  private snapshotPacer(): () => Promise<void> {
    let resumed = performance.now();
    return async () => {
      const busy = performance.now() - resumed;
      const ms = this.stopped ? 0 : Math.min(SNAPSHOT_MAX_PAUSE_MS, busy * SNAPSHOT_IDLE_FACTOR);
      if (ms >= 1) {
        await new Promise((r) => setTimeout(r, ms));
        this.counters.snapshotPauseMs += ms;
      } else {
        await new Promise((r) => setImmediate(r));
      }
      resumed = performance.now();
    };
  }

  private async compactTo(index: number, conf: ConfState, data: Uint8Array, t0: number): Promise<void> {
    // A newer snapshot (the leader's) may have been installed meanwhile.
    if (this.stopped || index <= this.snapshotIndex) return;
    const encodedAt = performance.now();
    const snap = this.storage.createSnapshot(index, conf, data);
    const compactTo = Math.max(this.storage.firstIndex() - 1, index - this.cfg.snapshotCatchUpEntries);
    await this.store.compact(compactTo, snap);
    if (compactTo >= this.storage.firstIndex()) this.storage.compact(compactTo);
    this.snapshotIndex = index;
    this.lastSnapshotBytes = snap.data.length;
    const now = performance.now();
    this.log.info('snapshot taken', {
      index, compactedTo: compactTo, bytes: snap.data.length, ms: Math.round(now - t0), encodeMs: Math.round(encodedAt - t0), persistMs: Math.round(now - encodedAt),
    });
  }
}
