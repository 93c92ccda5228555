/**
 * The data of the Raft core: what it persists, sends and hands to the
 * application. Shared by the pure core, the storage adapters and the
 * transport, so these shapes are the contract between them.
 */

/** A node's id in the Raft configuration; stable for the life of the node. */
export type NodeId = string;

export enum EntryType {
  /** An application command (or an empty entry a new leader appends). */
  Normal = 0,
  /** A membership change; `data` holds an encoded `ConfChange`. */
  ConfChange = 1,
}

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  /** Opaque to Raft. Empty for the no-op entry a new leader appends. */
  data: Uint8Array;
}

/** What must survive a crash besides the log: term, vote and commit index. */
export interface HardState {
  term: number;
  /** The candidate voted for in `term`, or '' for none. */
  vote: NodeId;
  commit: number;
}

/** Voters vote and count for quorum; learners only receive the log. */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

export interface SnapshotMetadata {
  /** The last log index the snapshot covers. */
  index: number;
  /** The term of the entry at `index`. */
  term: number;
  /** The configuration as of `index`. */
  conf: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  /** The application's state as of `metadata.index`; opaque to Raft. */
  data: Uint8Array;
}

export enum ConfChangeType {
  AddLearner = 0,
  PromoteLearner = 1,
  RemoveNode = 2,
}

export interface ConfChange {
  type: ConfChangeType;
  node: NodeId;
  /** Opaque context for the application (for example the node's address). */
  context?: Uint8Array;
}

export enum MessageType {
  /** Local only: the ticker asks a follower to start an election. */
  Hup = 0,
  PreVote = 1,
  PreVoteResp = 2,
  Vote = 3,
  VoteResp = 4,
  App = 5,
  AppResp = 6,
  Heartbeat = 7,
  HeartbeatResp = 8,
  Snap = 9,
  /** Local only: the transport reports a snapshot sent or failed. */
  SnapStatus = 10,
  /** Local only: the transport reports a peer unreachable. */
  Unreachable = 11,
  Prop = 12,
  ReadIndex = 13,
  ReadIndexResp = 14,
  TransferLeader = 15,
  TimeoutNow = 16,
}

/**
 * One message between Raft nodes. Field use depends on `type`, as in
 * etcd-io/raft: `index`/`logTerm` name the entry before `entries` in App,
 * the last log position in votes; `reject`/`rejectHint` carry a refused
 * append's hint; `context` carries a ReadIndex request id.
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  /** Term of the conflicting entry at rejectHint, for fast backtracking. */
  rejectTerm?: number;
  snapshot?: Snapshot;
  context?: Uint8Array;
}

export interface ReadState {
  /** Reads may be served once the applied index reaches this. */
  index: number;
  requestId: Uint8Array;
}

export enum Role {
  Follower = 'follower',
  PreCandidate = 'pre-candidate',
  Candidate = 'candidate',
  Leader = 'leader',
}

export interface SoftState {
  lead: NodeId;
  role: Role;
}

/**
 * What the core hands its driver after some input. The driver must, in order:
 * persist `hardState`, `entries` and `snapshot` (synced); then send
 * `messages`; then apply `committedEntries` (and the snapshot); then call
 * `advance()`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
}

/** A source of randomness the caller seeds; the core never calls Math.random. */
export interface Rand {
  /** An integer in [0, n). */
  intn(n: number): number;
}

/**
 * The log as the core reads it (etcd's `Storage`). The driver writes to it
 * only after the same data is durable on disk; on restart it refills an
 * in-memory copy from disk. All indexes are absolute log indexes.
 */
export interface Storage {
  /** Hard state and configuration saved last (after a restart). */
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most `maxBytes` of data but at least one. */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /** The term of entry `i`; throws CompactedError / UnavailableError. */
  term(i: number): number;
  /** Index of the first entry still in the log (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  /** The newest snapshot; throws SnapshotUnavailableError while one is built. */
  snapshot(): Snapshot;
}
