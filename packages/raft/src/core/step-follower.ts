/** How a follower handles messages (after the shared term checks in Raft.step). */
import { MessageType, type Message } from '../types.js';
import { ProposalDroppedError } from './errors.js';
import type { Raft } from './raft.js';

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Prop:
      if (r.lead === '') throw new ProposalDroppedError('', 'no leader');
      // Forward to the leader; the proposer learns the outcome when it applies.
      r.send({ ...m, to: r.lead });
      return;
    case MessageType.App:
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleAppend(m);
      return;
    case MessageType.Heartbeat:
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleHeartbeat(m);
      return;
    case MessageType.Snap:
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleSnapshot(m);
      return;
    case MessageType.TransferLeader:
      if (r.lead === '') {
        r.logger.info('raft: no leader to forward a transfer to', { term: r.term });
        return;
      }
      r.send({ ...m, to: r.lead });
      return;
    case MessageType.TimeoutNow:
      // The leader asks us to take over: campaign now, skipping pre-vote and
      // the lease (voters see the transfer context).
      r.logger.info('raft: TimeoutNow received; campaigning', { term: r.term, from: m.from });
      r.hup(true);
      return;
    case MessageType.ReadIndex:
      if (r.lead === '') {
        if (m.from === r.id) throw new ProposalDroppedError('', 'no leader for read index');
        return;
      }
      r.send({ ...m, to: r.lead });
      return;
    case MessageType.ReadIndexResp:
      r.readStates.push({ index: m.index, requestId: m.context ?? new Uint8Array(0) });
      return;
    default:
      return;
  }
}
