/**
 * The driver's handle on the core (etcd's RawNode): feed it ticks, messages
 * and proposals; collect a Ready; persist, send, apply; then advance().
 */
import {

  EntryType,
  MessageType,
  Role,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type Ready,
  type SoftState,
} from '../types.js';
import type { RaftConfig } from './config.js';
import { encodeConfChange } from './conf-change.js';
import { ProposalDroppedError, RaftInvariantError } from './errors.js';
import { isLocalMsg, isResponseMsg, makeMessage, splitBySync } from './message.js';
import type { ProgressState } from './progress.js';
import { Raft } from './raft.js';

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
}

export interface RaftStatus {
  id: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lead: NodeId;
  role: Role;
  conf: ConfState;
  /** Leader only: what it knows of each member's log. */
  progress?: Record<NodeId, ProgressStatus>;
}

/** What the outstanding Ready covered, to acknowledge in advance(). */
interface InFlightReady {
  stableIndex: number;
  stableTerm: number;
  snapIndex: number;
  appliedIndex: number;
}

export class RawNode {
  /** The state machine itself; exposed for tests and the simulation's checkers. */
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private inFlight: InFlightReady | undefined;

  constructor(cfg: RaftConfig) {
    this.raft = new Raft(cfg);
    this.prevSoft = this.raft.softState();
    // Compare against what is durable, so state made at construction (the
    // bootstrap) reaches storage through the first Ready.
    this.prevHard = cfg.storage.initialState().hardState;
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (pre-vote first if enabled). */
  campaign(): void {
    this.raft.step(makeMessage({ type: MessageType.Hup, from: this.raft.id }));
  }

  /** Proposes an entry. Throws ProposalDroppedError when there is no leader to take it. */
  propose(data: Uint8Array): void {
    this.raft.step(
      makeMessage({ type: MessageType.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data }] }),
    );
  }

  /** Proposes a membership change. Throws ProposalDroppedError or ConfChangeInProgressError. */
  proposeConfChange(cc: ConfChange): void {
    const data = encodeConfChange(cc);
    this.raft.step(
      makeMessage({ type: MessageType.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data }] }),
    );
  }

  /** Feeds a message from a peer. Local-only message types are refused. */
  step(m: Message): void {
    if (isLocalMsg(m.type)) throw new RaftInvariantError(`raft: ${MessageType[m.type]} is local only`);
    // Answers from nodes no longer in the configuration are ignored.
    if (isResponseMsg(m.type) && !this.raft.progress.has(m.from)) return;
    try {
      this.raft.step(m);
    } catch (err) {
      // A forwarded proposal we cannot take is dropped; its sender will time out.
      if (err instanceof ProposalDroppedError && (m.type === MessageType.Prop || m.type === MessageType.ReadIndex)) return;
      throw err;
    }
  }

  /**
   * Asks for a linearizable read point. A ReadState with this id appears in
   * a later Ready; serve the read once applied >= its index. Throws
   * ProposalDroppedError when no leader is known.
   */
  readIndex(requestId: Uint8Array): void {
    this.raft.step(makeMessage({ type: MessageType.ReadIndex, from: this.raft.id, context: requestId }));
  }

  /** Asks the leader (this node or the one it knows) to hand leadership to `to`. */
  transferLeadership(to: NodeId): void {
    this.raft.step(makeMessage({ type: MessageType.TransferLeader, from: to }));
  }

  /** True if ready() would return something. False while a Ready is not yet advanced. */
  hasReady(): boolean {
    if (this.inFlight !== undefined) return false;
    const r = this.raft;
    r.flushAppends();
    const soft = r.softState();
    if (soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role) return true;
    const hard = r.hardState();
    if (!sameHardState(hard, this.prevHard)) return true;
    if (r.log.unstable.snapshot !== undefined) return true;
    if (r.log.unstable.entries.length > 0) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    return r.log.hasNextCommittedEnts();
  }

  /**
   * What to do next: persist hardState, entries and snapshot (synced), then
   * send messages, then apply the snapshot and committedEntries, then call
   * advance(). Only one Ready may be outstanding.
   */
  ready(): Ready {
    if (this.inFlight !== undefined) throw new RaftInvariantError('raft: ready() called before advance()');
    const r = this.raft;
    r.flushAppends();
    const entries = r.log.unstableEntries();
    const snapshot = r.log.unstable.snapshot;
    const committedEntries = r.log.nextCommittedEnts(r.cfg.maxCommittedSizePerReady);
    r.reduceUncommittedSize(committedEntries);
    const rd: Ready = { entries, committedEntries, messages: r.msgs, readStates: r.readStates };
    r.msgs = [];
    r.readStates = [];
    const soft = r.softState();
    if (soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role) {
      rd.softState = soft;
      this.prevSoft = soft;
    }
    const hard = r.hardState();
    if (!sameHardState(hard, this.prevHard)) {
      rd.hardState = hard;
      this.prevHard = hard;
    }
    if (snapshot !== undefined) rd.snapshot = snapshot;
    const last = entries[entries.length - 1];
    this.inFlight = {
      stableIndex: last?.index ?? 0,
      stableTerm: last?.term ?? 0,
      snapIndex: snapshot?.metadata.index ?? 0,
      appliedIndex: committedEntries[committedEntries.length - 1]?.index ?? 0,
    };
    return rd;
  }

  /**
   * What the driver may do while the outstanding Ready is still being
   * synced, given the hard state last synced and the index it has applied:
   * send `messages` (those that promise nothing about its disk, see
   * sendsBeforePersist, taken out of what the next Ready would carry; new
   * proposals' appends are made first) and apply `entries` (see
   * committedToApply). Nothing while term or vote await the sync, or while
   * a snapshot waits to be installed.
   */
  whileSyncing(synced: HardState, applied: number, maxBytes = Infinity): { messages: Message[]; entries: Entry[] } {
    const r = this.raft;
    if (r.term !== synced.term || r.vote !== synced.vote) return { messages: [], entries: [] };
    r.flushAppends();
    const { early, late } = splitBySync(r.msgs, r.role === Role.Leader, false);
    r.msgs = late;
    return { messages: early, entries: this.committedToApply(applied, maxBytes) };
  }

  /**
   * Committed entries the driver may apply now, after `applied`, at most
   * `maxBytes`, even before the outstanding Ready's batch is synced. An
   * entry is committed once a quorum has it on disk, so applying it never
   * needs this node's own sync (etcd-io/raft applies such entries too, and
   * etcd applies them while its WAL write runs). The bound is the last
   * entry already synced or in the outstanding Ready: once that Ready is
   * synced, everything applied is on this node's disk as well, so a
   * snapshot of the applied state never runs ahead of the stored log. (If
   * a new leader has since replaced the outstanding Ready's last entry, that
   * Ready no longer counts.) None while a snapshot waits to be installed.
   */
  committedToApply(applied: number, maxBytes = Infinity): Entry[] {
    const log = this.raft.log;
    const f = this.inFlight;
    const saving = f !== undefined && f.stableIndex > 0 && log.matchTerm(f.stableIndex, f.stableTerm) ? f.stableIndex : 0;
    const written = Math.max(log.unstable.offset - 1, saving);
    const hi = Math.min(log.committed, written);
    const from = applied + 1;
    return log.unstable.snapshot !== undefined || from < log.firstIndex() || from > hi ? [] : log.slice(from, hi + 1, maxBytes);
  }

  /** The last Ready has been persisted, sent and applied. */
  advance(): void {
    const f = this.inFlight;
    if (f === undefined) throw new RaftInvariantError('raft: advance() without a Ready');
    this.inFlight = undefined;
    const log = this.raft.log;
    if (f.snapIndex > 0) {
      log.unstable.stableSnapTo(f.snapIndex);
      if (f.snapIndex > log.applied) log.appliedTo(f.snapIndex);
    }
    if (f.appliedIndex > 0) log.appliedTo(f.appliedIndex);
    if (f.stableIndex > 0) {
      log.unstable.stableTo(f.stableIndex, f.stableTerm);
      this.raft.onPersisted(f.stableIndex, f.stableTerm);
    }
    this.raft.onApplied();
  }

  /** Applies a committed membership change; returns the configuration now in force. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /** The transport could not reach `id`: stop streaming to it until it answers. */
  reportUnreachable(id: NodeId): void {
    this.raft.step(makeMessage({ type: MessageType.Unreachable, from: id }));
  }

  /** The transport finished (or failed) sending a snapshot to `id`. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step(makeMessage({ type: MessageType.SnapStatus, from: id, reject: !ok }));
  }

  status(): RaftStatus {
    const r = this.raft;
    const st: RaftStatus = {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lead: r.lead,
      role: r.role,
      conf: r.confState(),
    };
    if (r.role === Role.Leader) {
      st.progress = {};
      for (const [id, pr] of r.progress) st.progress[id] = { match: pr.match, next: pr.next, state: pr.state };
    }
    return st;
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}


