/** How a candidate or pre-candidate handles messages. */
import { MessageType, Role, type Message } from '../types.js';
import { ProposalDroppedError } from './errors.js';
import { VoteResult } from './quorum.js';
import type { Raft } from './raft.js';

export function stepCandidate(r: Raft, m: Message): void {
  // Only answers to our own kind of campaign count.
  const myVoteResp = r.role === Role.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
  switch (m.type) {
    case MessageType.Prop:
      throw new ProposalDroppedError('', 'election in progress');
    case MessageType.ReadIndex:
      if (m.from === r.id) throw new ProposalDroppedError('', 'election in progress');
      return;
    case MessageType.App:
      // A leader exists in this term (m.term == our term): give up.
      r.becomeFollower(m.term, m.from);
      r.handleAppend(m);
      return;
    case MessageType.Heartbeat:
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return;
    case MessageType.Snap:
      r.becomeFollower(m.term, m.from);
      r.handleSnapshot(m);
      return;
    case myVoteResp: {
      const res = r.poll(m.from, !m.reject);
      if (res === VoteResult.Won) {
        if (r.role === Role.PreCandidate) r.campaign(false, false);
        else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (res === VoteResult.Lost) {
        r.becomeFollower(r.term, '');
      }
      return;
    }
    default:
      return;
  }
}
