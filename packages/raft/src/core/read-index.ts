/**
 * ReadIndex on the leader: a read is answered with the commit index it saw
 * on arrival, once a heartbeat round sent after it is acknowledged by a
 * quorum of voters (so this node was still leader when the read arrived).
 */
import { MessageType, type Message, type NodeId } from '../types.js';
import { makeMessage } from './message.js';
import type { Raft } from './raft.js';

/** Answers a ReadIndex request whose leadership check has passed. */
export function respondReadIndex(r: Raft, from: NodeId, index: number, requestId: Uint8Array): void {
  if (from === r.id || from === '') {
    r.readStates.push({ index, requestId });
  } else {
    r.send(makeMessage({ type: MessageType.ReadIndexResp, to: from, index, context: requestId }));
  }
}

export function releasePendingReadIndexMessages(r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0 || !r.committedEntryInCurrentTerm()) return;
  const held = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of held) r.startReadIndex(m);
}

/**
 * ReadIndex: remember the commit index now, then confirm we are still
 * leader by a heartbeat round acknowledged by a quorum.
 */
export function startReadIndex(r: Raft, m: Message): void {
  const ctx = m.context ?? new Uint8Array(0);
  if (r.voters.length === 1 && r.isVoter(r.id)) {
    r.respondReadIndex(m.from, r.log.committed, ctx);
    return;
  }
  r.readOnly.add(r.log.committed, m.from, ctx);
  r.readOnly.recvAck(r.id, ctx);
  r.bcastHeartbeat(ctx);
}
