/**
 * The Raft state machine of one node. Inputs are ticks and messages; outputs
 * accumulate in `msgs` and `readStates` and in the log's unstable part, for
 * RawNode to hand out as a Ready. The role's behaviour is a step function
 * (stepLeader, stepCandidate, stepFollower) swapped on each transition.
 * This file holds the state, the term rules shared by every role, elections
 * and ticks; membership.ts, replication.ts, follower-handlers.ts and
 * read-index.ts hold the other concerns as functions of a Raft.
 */
import {
  ConfChangeType,
  EntryType,
  MessageType,
  Role,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type ReadState,
  type SoftState,
} from '../types.js';
import { encodeConfChange } from './conf-change.js';
import { resolveConfig, type RaftConfig, type ResolvedRaftConfig } from './config.js';
import { noopLogger, type Logger } from './deps.js';
import { payloadSize } from './entry-size.js';
import { ProposalDroppedError } from './errors.js';
import { CAMPAIGN_TRANSFER, isTransferContext, makeMessage, voteRespType } from './message.js';
import { Progress } from './progress.js';
import { committedIndex, voteResult, VoteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { ReadOnly } from './read-only.js';
import { handleAppend, handleHeartbeat, handleSnapshot } from './follower-handlers.js';
import { applyConfChange } from './membership.js';
import { releasePendingReadIndexMessages, respondReadIndex, startReadIndex } from './read-index.js';
import { bcastAppend, bcastHeartbeat, flushAppends, maybeSendAppend } from './replication.js';
import { stepCandidate } from './step-candidate.js';
import { stepFollower } from './step-follower.js';
import { stepLeader } from './step-leader.js';

export type StepFn = (r: Raft, m: Message) => void;

export class Raft {
  readonly id: NodeId;
  readonly cfg: ResolvedRaftConfig;
  readonly logger: Logger;
  readonly log: RaftLog;

  term = 0;
  vote: NodeId = '';
  lead: NodeId = '';
  role = Role.Follower;

  voters: NodeId[] = [];
  learners: NodeId[] = [];
  /** Leader only matters, but kept for every node so a new leader can reset it. */
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  msgs: Message[] = [];
  readStates: ReadState[] = [];

  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;

  /** Target of a leadership transfer in progress ('' if none). */
  leadTransferee: NodeId = '';
  /** Index of the newest conf change this leader appended; no new one until it is applied. */
  pendingConfIndex = 0;
  /** Payload bytes appended by this leader and not yet committed. */
  uncommittedSize = 0;
  readOnly = new ReadOnly();
  /** ReadIndex requests held until this leader commits an entry of its own term. */
  pendingReadIndexMessages: Message[] = [];
  /** Entries were appended since the last broadcast (batched at Ready time). */
  needBroadcast = false;
  /** Term in which a TimeoutNow waits for conf changes to be applied (0: none). */
  transferCampaignTerm = 0;

  stepFn: StepFn = stepFollower;
  tickFn: () => void = () => this.tickElection();

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config, noopLogger);
    this.id = this.cfg.id;
    this.logger = this.cfg.logger.child({ component: 'raft', node: this.id });
    this.log = new RaftLog(this.cfg.storage, this.logger);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.setConf(confState);
    if (hardState.term !== 0 || hardState.vote !== '' || hardState.commit !== 0) this.loadState(hardState);
    if (this.cfg.applied > 0) this.log.appliedTo(Math.min(this.cfg.applied, this.log.committed));
    this.becomeFollower(this.term, '');
    if (this.log.lastIndex() === 0 && this.term === 0 && this.voters.length > 0) this.bootstrap();
  }

  /**
   * A fresh initial member writes the initial configuration into its log as
   * committed conf-change entries of term 1, identical on every initial
   * member. A node added later starts with an empty configuration and learns
   * the whole membership history by replicating these entries (or from a
   * snapshot), instead of applying changes on top of nothing.
   */
  private bootstrap(): void {
    const ents: Entry[] = [];
    for (const id of this.voters) {
      for (const type of [ConfChangeType.AddLearner, ConfChangeType.PromoteLearner]) {
        ents.push({ term: 1, index: ents.length + 1, type: EntryType.ConfChange, data: encodeConfChange({ type, node: id }) });
      }
    }
    this.becomeFollower(1, '');
    this.log.append(ents);
    this.log.committed = ents.length;
    for (const id of this.progress.keys()) this.progress.get(id)!.next = this.log.lastIndex() + 1;
  }

  // ---- state snapshots for Ready

  softState(): SoftState {
    return { lead: this.lead, role: this.role };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private loadState(hs: HardState): void {
    if (hs.commit > this.log.lastIndex()) {
      throw new RangeError(`raft: stored commit ${hs.commit} is beyond the last stored entry ${this.log.lastIndex()}`);
    }
    // A stored commit below the snapshot is old news, not damage: a snapshot
    // holds only committed entries, and the driver may snapshot what it
    // applied before a hard state naming that commit was written (a commit
    // index is synced lazily, and entries are applied while a batch syncs).
    this.log.committed = Math.max(hs.commit, this.log.committed);
    this.term = hs.term;
    this.vote = hs.vote;
  }

  // ---- configuration

  isVoter(id: NodeId = this.id): boolean {
    return this.voters.includes(id);
  }

  /** A node may campaign only if it is a voter in its current configuration. */
  promotable(): boolean {
    return this.isVoter(this.id);
  }

  confState(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  setConf(cs: ConfState): void {
    this.voters = [...cs.voters].sort();
    this.learners = [...cs.learners].filter((id) => !cs.voters.includes(id)).sort();
    const keep = new Set([...this.voters, ...this.learners]);
    for (const id of [...this.progress.keys()]) if (!keep.has(id)) this.progress.delete(id);
    for (const id of keep) {
      const learner = this.learners.includes(id);
      const pr = this.progress.get(id);
      if (pr !== undefined) pr.isLearner = learner;
      else this.progress.set(id, this.newProgress(learner));
    }
  }

  private newProgress(learner: boolean): Progress {
    return new Progress(this.log.lastIndex() + 1, this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes, learner);
  }

  // ---- role transitions

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = '';
    }
    this.lead = '';
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.votes.clear();
    for (const [id, pr] of this.progress) {
      const fresh = this.newProgress(pr.isLearner);
      // Our own log counts as far as it is synced (entries below the
      // unstable part); the rest counts once onPersisted says so.
      if (id === this.id) fresh.match = Math.min(this.log.lastIndex(), this.log.unstable.offset - 1);
      this.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
    this.needBroadcast = false;
    this.transferCampaignTerm = 0;
  }

  /** The application has applied more entries (RawNode.advance). */
  onApplied(): void {
    this.releasePendingReadIndexMessages();
    const t = this.transferCampaignTerm;
    if (t !== 0 && t === this.term && this.role === Role.Follower && !this.hasUnappliedConfChanges()) {
      this.transferCampaignTerm = 0;
      this.hup(true);
    }
  }

  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.rand.intn(this.cfg.electionTick);
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.stepFn = stepFollower;
    this.reset(term);
    this.tickFn = () => this.tickElection();
    this.lead = lead;
    this.role = Role.Follower;
    this.logger.debug('raft: became follower', { term, lead });
  }

  becomePreCandidate(): void {
    // Pre-vote changes neither term nor vote: a partitioned node that keeps
    // failing pre-votes cannot inflate its term and disrupt the cluster later.
    this.stepFn = stepCandidate;
    this.votes.clear();
    this.tickFn = () => this.tickElection();
    this.lead = '';
    this.role = Role.PreCandidate;
  }

  becomeCandidate(): void {
    this.stepFn = stepCandidate;
    this.reset(this.term + 1);
    this.tickFn = () => this.tickElection();
    this.vote = this.id;
    this.role = Role.Candidate;
    this.logger.debug('raft: became candidate', { term: this.term });
  }

  becomeLeader(): void {
    this.stepFn = stepLeader;
    this.reset(this.term);
    this.tickFn = () => this.tickHeartbeat();
    this.lead = this.id;
    this.role = Role.Leader;
    this.progress.get(this.id)?.becomeReplicate();
    // Conservatively treat any unapplied entry as a possible conf change: no
    // new change until everything this leader inherited is applied.
    this.pendingConfIndex = this.log.lastIndex();
    // The no-op entry of a new term: committing it commits everything before
    // it (Figure 8: earlier-term entries are never committed by counting).
    this.appendEntry([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
    this.logger.info('raft: became leader', { term: this.term });
  }

  // ---- ticks

  tick(): void {
    this.tickFn();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      // CheckQuorum: a leader that has not heard from a quorum for an
      // election timeout may be partitioned away; it steps down so clients
      // stop trusting it (and its reads cannot be stale).
      if (this.cfg.checkQuorum && !this.quorumActive()) {
        this.logger.info('raft: leader lost quorum; stepping down', { term: this.term });
        this.becomeFollower(this.term, '');
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.leadTransferee !== '') this.abortLeaderTransfer();
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPending());
    }
  }

  private quorumActive(): boolean {
    const active = new Map<NodeId, boolean>();
    for (const [id, pr] of this.progress) {
      if (id === this.id) active.set(id, true);
      else {
        active.set(id, pr.recentActive);
        pr.recentActive = false;
      }
    }
    return voteResult(this.voters, active) === VoteResult.Won;
  }

  // ---- elections

  hup(transfer: boolean): void {
    if (this.role === Role.Leader) return;
    if (!this.promotable()) return;
    // A node with committed but unapplied conf changes may not know its
    // configuration yet; it must not campaign on a stale one.
    if (this.hasUnappliedConfChanges()) {
      this.logger.info('raft: not campaigning yet: committed conf changes not applied', { term: this.term });
      // A TimeoutNow (e.g. from a leader that removed itself) is honoured
      // once the changes are applied, if nothing else happened meanwhile.
      if (transfer) this.transferCampaignTerm = this.term;
      return;
    }
    if (this.cfg.preVote && !transfer) this.campaign(true, false);
    else this.campaign(false, transfer);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    // Scan page by page: after a restart the unapplied range can be long.
    let lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    const hi = this.log.committed + 1;
    while (lo < hi) {
      const page = this.log.slice(lo, hi, 1024 * 1024);
      for (const e of page) if (e.type === EntryType.ConfChange) return true;
      lo += page.length;
    }
    return false;
  }

  campaign(pre: boolean, transfer: boolean): void {
    let term: number;
    let type: MessageType;
    if (pre) {
      this.becomePreCandidate();
      type = MessageType.PreVote;
      // Ask with the term we would use, without adopting it yet.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      type = MessageType.Vote;
      term = this.term;
    }
    if (this.poll(this.id, true) === VoteResult.Won) {
      // A single-voter cluster wins at once.
      if (pre) this.campaign(false, transfer);
      else this.becomeLeader();
      return;
    }
    for (const id of this.voters) {
      if (id === this.id) continue;
      this.send(
        makeMessage({
          type,
          to: id,
          term,
          index: this.log.lastIndex(),
          logTerm: this.log.lastTerm(),
          ...(transfer ? { context: CAMPAIGN_TRANSFER } : {}),
        }),
      );
    }
  }

  poll(id: NodeId, granted: boolean): VoteResult {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return voteResult(this.voters, this.votes);
  }

  // ---- step: term checks shared by every role, then the role's step function

  step(m: Message): void {
    if (m.term === 0) {
      // Local message (or a forwarded proposal / read request).
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = isTransferContext(m.context);
        // Leader lease (with CheckQuorum): while we heard from a leader within
        // the minimum election timeout, ignore vote requests, so a node that
        // was partitioned and rejoins cannot depose a working leader.
        const inLease = this.cfg.checkQuorum && this.lead !== '' && this.electionElapsed < this.cfg.electionTick;
        if (!force && inLease) {
          this.logger.debug('raft: vote request ignored within lease', { from: m.from, term: m.term });
          return;
        }
      }
      if (m.type === MessageType.PreVote) {
        // Never change term for a pre-vote request.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // A granted pre-vote carries the future term; the real vote comes later.
      } else if (m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, '');
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A stale leader (e.g. just healed from a partition) learns the newer
        // term from this answer and steps down; without it, it could hold a
        // node that ignores its pre-votes forever.
        this.send(makeMessage({ type: MessageType.AppResp, to: m.from }));
      } else if (m.type === MessageType.PreVote) {
        this.send(makeMessage({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(false);
        return;
      case MessageType.Vote:
      case MessageType.PreVote:
        this.handleVoteRequest(m);
        return;
      default:
        this.stepFn(this, m);
    }
  }

  private handleVoteRequest(m: Message): void {
    // One vote per term: only for the node we already voted for, or for
    // anyone if we have not voted and know no leader in this term. A
    // pre-vote for a future term is always eligible.
    const canVote =
      this.vote === m.from ||
      (this.vote === '' && this.lead === '') ||
      (m.type === MessageType.PreVote && m.term > this.term);
    // Election restriction (§5.4.1): only a candidate whose log is at least
    // as up to date as ours gets the vote, so leaders hold all committed entries.
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      this.send(makeMessage({ type: voteRespType(m.type), to: m.from, term: m.term }));
      if (m.type === MessageType.Vote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(makeMessage({ type: voteRespType(m.type), to: m.from, term: this.term, reject: true }));
    }
  }

  // ---- sending

  send(m: Message): void {
    if (m.from === '') m.from = this.id;
    if (
      m.type === MessageType.Vote ||
      m.type === MessageType.VoteResp ||
      m.type === MessageType.PreVote ||
      m.type === MessageType.PreVoteResp
    ) {
      if (m.term === 0) throw new RangeError(`raft: ${MessageType[m.type]} must carry a term`);
    } else if (m.type !== MessageType.Prop && m.type !== MessageType.ReadIndex) {
      m.term = this.term;
    }
    this.msgs.push(m);
  }

  sendTimeoutNow(to: NodeId): void {
    this.send(makeMessage({ type: MessageType.TimeoutNow, to }));
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = '';
  }

  // ---- leader log

  /** Appends proposals to the leader's log. Throws ProposalDroppedError if over the uncommitted limit. */
  appendEntry(ents: Entry[]): void {
    const li = this.log.lastIndex();
    const stamped = ents.map((e, i) => ({ term: this.term, index: li + 1 + i, type: e.type, data: e.data }));
    const size = payloadSize(stamped);
    const max = this.cfg.maxUncommittedEntriesSize;
    if (max > 0 && size > 0 && this.uncommittedSize > 0 && this.uncommittedSize + size > max) {
      throw new ProposalDroppedError(this.id, 'too many uncommitted entries');
    }
    this.uncommittedSize += size;
    this.log.append(stamped);
    // The leader's own entries count towards the quorum only once synced
    // (onPersisted, from RawNode.advance), as a follower's count once it
    // acknowledges them. So no commit index this leader sends can rest on an
    // entry of its own still being written, whenever the driver sends it.
  }

  /**
   * The driver has synced the log through `index` (an entry of `term`). A
   * leader counts it towards the quorum now; if that commits more, the
   * followers hear of it at once.
   */
  onPersisted(index: number, term: number): void {
    if (this.role !== Role.Leader || !this.log.matchTerm(index, term)) return;
    const pr = this.progress.get(this.id);
    if (pr === undefined || !pr.maybeUpdate(index)) return;
    if (this.maybeCommit()) {
      this.releasePendingReadIndexMessages();
      this.bcastAppend();
    }
  }

  reduceUncommittedSize(ents: Entry[]): void {
    if (this.role !== Role.Leader) return;
    this.uncommittedSize = Math.max(0, this.uncommittedSize - payloadSize(ents));
  }

  /** Advances the commit index to what a majority of voters hold, if it is an entry of this term. */
  maybeCommit(): boolean {
    const mci = committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
    // Figure 8: only an entry of the current term is committed by counting
    // replicas; entries of earlier terms commit with it, never alone.
    return this.log.maybeCommit(mci, this.term);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  // ---- follower handlers

  // ---- reads

  // ---- delegates to the concern modules (membership, replication, follower handling, reads)

  applyConfChange(cc: ConfChange): ConfState {
    return applyConfChange(this, cc);
  }

  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    return maybeSendAppend(this, to, sendIfEmpty);
  }

  sendAppend(to: NodeId): void {
    maybeSendAppend(this, to, true);
  }

  bcastAppend(): void {
    bcastAppend(this);
  }

  flushAppends(): void {
    flushAppends(this);
  }

  bcastHeartbeat(ctx: Uint8Array | undefined): void {
    bcastHeartbeat(this, ctx);
  }

  handleAppend(m: Message): void {
    handleAppend(this, m);
  }

  handleHeartbeat(m: Message): void {
    handleHeartbeat(this, m);
  }

  handleSnapshot(m: Message): void {
    handleSnapshot(this, m);
  }

  respondReadIndex(from: NodeId, index: number, requestId: Uint8Array): void {
    respondReadIndex(this, from, index, requestId);
  }

  releasePendingReadIndexMessages(): void {
    releasePendingReadIndexMessages(this);
  }

  startReadIndex(m: Message): void {
    startReadIndex(this, m);
  }
}
