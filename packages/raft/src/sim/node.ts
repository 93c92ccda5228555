/**
 * One simulated server: the Raft core, its durable storage (a MemoryStorage
 * written only when a Ready is persisted, so a crash loses exactly what was
 * not yet persisted), and the key-value state machine. It plays the node
 * driver as RaftNode does: a Ready's save may span steps, and while it is in
 * flight the node sends what promises nothing about its disk and applies
 * what is committed (see RawNode.committedToApply).
 */
import { EntryType, Role, type ConfState, type Entry, type HardState, type Message, type NodeId, type ReadState, type Ready } from '../types.js';
import { decodeConfChange } from '../core/conf-change.js';
import { MemoryStorage } from '../core/memory-storage.js';
import { RawNode } from '../core/raw-node.js';
import { requestKey } from '../core/read-only.js';
import { persistPlan } from '../core/message.js';
import { decodeCommand, KvStore, type KvCommand, type KvResult } from './kv.js';
import type { SeededRand } from './prng.js';

export interface SimNodeOptions {
  electionTick: number;
  heartbeatTick: number;
  preVote: boolean;
  checkQuorum: boolean;
  /** Take a snapshot and compact after this many applied entries (0: never). */
  snapshotEvery: number;
  /** Entries kept behind a snapshot for slow followers. */
  compactKeep: number;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
}

/** Hooks the cluster uses to observe and check what the node does. */
export interface SimNodeObserver {
  persisted(node: SimNode, entries: Entry[]): void;
  applied(node: SimNode, e: Entry, cmd: KvCommand | undefined, result: KvResult | undefined): void;
  readServed(node: SimNode, rs: ReadState): void;
  send(node: SimNode, msgs: Message[]): void;
}

export class SimNode {
  readonly storage: MemoryStorage;
  raw: RawNode | undefined;
  kv = new KvStore();
  applied = 0;
  conf: ConfState;
  /** What was applied at each index (a put's value, '' for a no-op, conf:... for a change), across restarts. */
  readonly appliedLog = new Map<number, string>();
  /** Highest index covered by a snapshot this node installed from a leader (skipped in appliedLog). */
  installedSnapshot = 0;
  private waitingReads: ReadState[] = [];
  /** Snapshot index of the last compaction. */
  private snapIndex = 0;
  /** The Ready whose save has started and not completed (see processReady). */
  private inFlight: Ready | undefined;
  /** A commit-only hard state handed to the store unsynced: written with the next synced batch, lost in a crash before it. */
  private unsyncedHard: HardState | undefined;

  constructor(
    readonly id: NodeId,
    conf: ConfState,
    private readonly opts: SimNodeOptions,
    private readonly rand: SeededRand,
    private readonly observer: SimNodeObserver,
  ) {
    this.storage = new MemoryStorage({ confState: conf });
    this.conf = conf;
    this.start();
  }

  get alive(): boolean {
    return this.raw !== undefined;
  }

  /** (Re)starts from durable storage: the state machine from the snapshot, Raft from its log. */
  start(): void {
    const snap = this.storage.snapshot();
    this.kv = KvStore.restore(snap.data);
    this.applied = snap.metadata.index;
    this.snapIndex = snap.metadata.index;
    this.conf = this.storage.initialState().confState;
    this.waitingReads = [];
    this.raw = new RawNode({
      id: this.id,
      storage: this.storage,
      rand: this.rand,
      electionTick: this.opts.electionTick,
      heartbeatTick: this.opts.heartbeatTick,
      applied: this.applied,
      preVote: this.opts.preVote,
      checkQuorum: this.opts.checkQuorum,
      maxSizePerMsg: this.opts.maxSizePerMsg ?? 4096,
      maxInflightMsgs: this.opts.maxInflightMsgs ?? 16,
    });
  }

  /** Loses everything not persisted: the core's memory, a save in flight, the state machine, waiting reads. */
  crash(): void {
    this.raw = undefined;
    this.inFlight = undefined;
    this.unsyncedHard = undefined;
    this.waitingReads = [];
  }

  get role(): Role | undefined {
    return this.raw?.raft.role;
  }

  get term(): number {
    return this.raw?.raft.term ?? this.storage.initialState().hardState.term;
  }

  isLeader(): boolean {
    return this.raw?.raft.role === Role.Leader;
  }

  /**
   * One move of the node driver's loop, as RaftNode makes them. With no save
   * in flight: takes a Ready, sends what may leave before the sync, applies
   * committed entries (this Ready's own included), and starts the save, which
   * completes now or on a later call (a crash before then loses it). With a
   * save in flight: completes it (persist, send the rest, apply, advance).
   */
  processReady(): boolean {
    const raw = this.raw;
    if (raw === undefined) return false;
    if (this.inFlight !== undefined) {
      this.finishReady(raw, this.inFlight);
      return true;
    }
    if (!raw.hasReady()) return false;
    const rd = raw.ready();
    const { write, early, late } = persistPlan(rd, this.storage.initialState().hardState, raw.raft.role === Role.Leader);
    if (early.length > 0) this.observer.send(this, early);
    // Committed entries apply now, before the sync (finishReady skips them).
    for (const e of raw.committedToApply(this.applied)) this.applyEntry(raw, e);
    this.serveReads();
    if (write !== 'sync') {
      // Nothing to sync: RaftNode goes on at once, handing a commit-only
      // write to the store unsynced. It lands now, or with the next synced
      // write (the store keeps them in order), or is lost in a crash first.
      const unsynced = write === 'commitOnly' && this.rand.chance(0.5);
      this.finishReady(raw, { ...rd, messages: late }, unsynced);
      if (unsynced) this.unsyncedHard = rd.hardState;
      return true;
    }
    this.inFlight = { ...rd, messages: late };
    if (this.rand.chance(0.5)) this.finishReady(raw, this.inFlight);
    return true;
  }

  /**
   * While a save is in flight, what RaftNode.flushWhileSaving does each
   * event-loop turn: send what promises nothing about the disk and apply
   * committed entries, unless term or vote await the sync.
   */
  flushWhileSaving(): void {
    const raw = this.raw;
    if (raw === undefined || this.inFlight === undefined) return;
    const { messages, entries } = raw.whileSyncing(this.storage.initialState().hardState, this.applied);
    if (messages.length > 0) this.observer.send(this, messages);
    for (const e of entries) this.applyEntry(raw, e);
    this.serveReads();
  }

  private finishReady(raw: RawNode, rd: Ready, unsyncedHard = false): void {
    this.inFlight = undefined;
    // 1. Persist (the simulated fsync): snapshot, entries, hard state; an
    //    unsynced hard state handed over before goes first.
    if (this.unsyncedHard !== undefined) this.storage.setHardState(this.unsyncedHard);
    this.unsyncedHard = undefined;
    if (rd.snapshot !== undefined) this.storage.applySnapshot(rd.snapshot);
    this.storage.append(rd.entries);
    if (rd.hardState !== undefined && !unsyncedHard) this.storage.setHardState(rd.hardState);
    if (rd.entries.length > 0) this.observer.persisted(this, rd.entries);
    // 2. Send only what is now backed by durable state.
    if (rd.messages.length > 0) this.observer.send(this, rd.messages);
    // 3. Apply.
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index > this.applied) {
      this.kv = KvStore.restore(rd.snapshot.data);
      this.applied = rd.snapshot.metadata.index;
      this.snapIndex = rd.snapshot.metadata.index;
      this.conf = rd.snapshot.metadata.conf;
      this.installedSnapshot = rd.snapshot.metadata.index;
    }
    for (const e of rd.committedEntries) this.applyEntry(raw, e);
    this.waitingReads.push(...rd.readStates);
    this.serveReads();
    raw.advance();
    this.maybeSnapshot();
  }

  private applyEntry(raw: RawNode, e: Entry): void {
    if (e.index <= this.applied) return;
    if (e.index !== this.applied + 1) throw new Error(`sim ${this.id}: applying ${e.index} after ${this.applied}`);
    this.applied = e.index;
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data);
      this.conf = raw.applyConfChange(cc);
      this.appliedLog.set(e.index, `conf:${cc.type}:${cc.node}`);
      this.observer.applied(this, e, undefined, undefined);
      return;
    }
    const cmd = decodeCommand(e.data);
    const result = cmd === undefined ? undefined : this.kv.apply(e.index, cmd);
    this.appliedLog.set(e.index, cmd === undefined ? '' : cmd.value);
    this.observer.applied(this, e, cmd, result);
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    const keep: ReadState[] = [];
    for (const rs of this.waitingReads) {
      // A read is served only once the state machine reaches its read index.
      if (rs.index <= this.applied) this.observer.readServed(this, rs);
      else keep.push(rs);
    }
    this.waitingReads = keep;
  }

  private maybeSnapshot(): void {
    const every = this.opts.snapshotEvery;
    if (every <= 0 || this.applied - this.snapIndex < every) return;
    this.storage.createSnapshot(this.applied, this.conf, this.kv.snapshot());
    this.snapIndex = this.applied;
    const upTo = this.applied - this.opts.compactKeep;
    if (upTo >= this.storage.firstIndex()) this.storage.compact(upTo);
  }

  step(m: Message): void {
    this.raw?.step(m);
  }

  tick(): void {
    this.raw?.tick();
  }

  pendingReadKeys(): string[] {
    return this.waitingReads.map((r) => requestKey(r.requestId));
  }
}
