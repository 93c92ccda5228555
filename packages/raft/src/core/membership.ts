/**
 * Membership changes, one server at a time: add a learner, promote it to
 * voter, remove a node. Any two successive configurations differ by one
 * voter, so their majorities overlap and no joint consensus is needed.
 */
import { ConfChangeType, MessageType, Role, type ConfChange, type ConfState, type NodeId } from '../types.js';
import { makeMessage } from './message.js';
import type { Raft } from './raft.js';

/**
 * Applies a committed membership change (the driver calls this when it
 * applies the entry). One server at a time: any two successive majorities
 * overlap, so no joint consensus is needed.
 */
export function applyConfChange(r: Raft, cc: ConfChange): ConfState {
  const voters = new Set(r.voters);
  const learners = new Set(r.learners);
  switch (cc.type) {
    case ConfChangeType.AddLearner:
      if (!voters.has(cc.node)) learners.add(cc.node);
      break;
    case ConfChangeType.PromoteLearner:
      if (learners.has(cc.node)) {
        learners.delete(cc.node);
        voters.add(cc.node);
      } else if (!voters.has(cc.node)) {
        r.logger.warn('raft: promote of a node that is not a learner ignored', { target: cc.node });
      }
      break;
    case ConfChangeType.RemoveNode:
      voters.delete(cc.node);
      learners.delete(cc.node);
      break;
  }
  r.setConf({ voters: [...voters], learners: [...learners] });
  afterConfChange(r);
  return r.confState();
}

function afterConfChange(r: Raft): void {
  if (r.role !== Role.Leader) return;
  if (r.leadTransferee !== '' && !r.isVoter(r.leadTransferee)) r.abortLeaderTransfer();
  if (!r.isVoter(r.id)) {
    // A removed leader steps down. First it tells the others the commit
    // index (they may not know the removal is committed), and hands over
    // to the most caught-up voter so the cluster need not wait a timeout.
    r.bcastAppend();
    let best: NodeId = '';
    for (const id of r.voters) {
      const pr = r.progress.get(id);
      if (pr !== undefined && pr.match === r.log.lastIndex()) best = id;
    }
    if (best !== '') r.send(makeMessage({ type: MessageType.TimeoutNow, to: best }));
    r.becomeFollower(r.term, '');
    return;
  }
  // The quorum may have shrunk: commit what the new majority holds.
  if (r.maybeCommit()) r.bcastAppend();
  else for (const id of r.progress.keys()) if (id !== r.id) r.maybeSendAppend(id, false);
}
