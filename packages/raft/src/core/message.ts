/** Building and classifying messages. */
import { MessageType, type HardState, type Message, type Ready } from '../types.js';

/** A message with every field at its zero value except those given. */
export function makeMessage(m: Partial<Message> & { type: MessageType }): Message {
  return {
    from: '',
    to: '',
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    ...m,
  };
}

/** Messages the node makes for itself; never accepted from the network. */
export function isLocalMsg(t: MessageType): boolean {
  return t === MessageType.Hup || t === MessageType.SnapStatus || t === MessageType.Unreachable;
}

export function isResponseMsg(t: MessageType): boolean {
  return (
    t === MessageType.AppResp ||
    t === MessageType.VoteResp ||
    t === MessageType.HeartbeatResp ||
    t === MessageType.PreVoteResp ||
    t === MessageType.Unreachable
  );
}

export function voteRespType(t: MessageType): MessageType {
  return t === MessageType.PreVote ? MessageType.PreVoteResp : MessageType.VoteResp;
}

/** Context of a vote request sent because of TimeoutNow: bypasses the leader lease. */
export const CAMPAIGN_TRANSFER = new TextEncoder().encode('raft:campaign-transfer');

export function isTransferContext(ctx: Uint8Array | undefined): boolean {
  if (ctx === undefined || ctx.length !== CAMPAIGN_TRANSFER.length) return false;
  for (let i = 0; i < ctx.length; i++) if (ctx[i] !== CAMPAIGN_TRANSFER[i]) return false;
  return true;
}

/**
 * Messages that promise nothing about the sender's disk, so a driver may
 * send them while the batch they came with (or a later one) is being
 * synced: forwarded proposals and reads, a leader's appends and heartbeats
 * (the Raft thesis, 10.2.1; the commit index they carry never rests on the
 * leader's own unsynced entries, see Raft.onPersisted), and a heartbeat
 * answer when neither term nor vote is waiting to be synced (it then only
 * says "I still follow you", which holds whether or not the batch survives
 * a crash). Votes and append answers wait for the sync.
 */
export function sendsBeforePersist(m: Message, leader: boolean, termOrVoteChanged: boolean): boolean {
  if (m.type === MessageType.Prop || m.type === MessageType.ReadIndex) return true;
  if (m.type === MessageType.HeartbeatResp) return !termOrVoteChanged;
  return leader && (m.type === MessageType.App || m.type === MessageType.Heartbeat);
}

/** `msgs` split by sendsBeforePersist: those that may leave before the sync, and the rest, each in order. */
export function splitBySync(msgs: Message[], leader: boolean, termOrVoteChanged: boolean): { early: Message[]; late: Message[] } {
  const early: Message[] = [];
  const late: Message[] = [];
  for (const m of msgs) (sendsBeforePersist(m, leader, termOrVoteChanged) ? early : late).push(m);
  return { early, late };
}

/**
 * How a driver persists a Ready, given the hard state it last synced:
 * - `sync`: the batch holds entries, a snapshot, or a new term or vote
 *   (etcd's MustSync rule); it must be durable before `late` leaves;
 * - `commitOnly`: it only moves the commit index, which the leader can tell
 *   this node again; it is written unsynced and nothing waits for it;
 * - `none`: nothing to write.
 * `early` and `late` are the Ready's messages split by sendsBeforePersist,
 * each in order.
 */
export function persistPlan(rd: Ready, synced: HardState, leader: boolean): { write: 'sync' | 'commitOnly' | 'none'; early: Message[]; late: Message[] } {
  const hs = rd.hardState;
  const termOrVoteChanged = hs !== undefined && (hs.term !== synced.term || hs.vote !== synced.vote);
  const { early, late } = splitBySync(rd.messages, leader, termOrVoteChanged);
  const write = rd.entries.length > 0 || rd.snapshot !== undefined || termOrVoteChanged ? 'sync' : hs !== undefined ? 'commitOnly' : 'none';
  return { write, early, late };
}
