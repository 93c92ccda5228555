/** How a leader handles messages: proposals, replication answers, reads, transfers. */
import { EntryType, MessageType, type Entry, type Message } from '../types.js';
import { ConfChangeInProgressError, ProposalDroppedError } from './errors.js';
import { ProgressState } from './progress.js';
import { voteResult, VoteResult } from './quorum.js';
import type { Raft } from './raft.js';

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Prop:
      propose(r, m);
      return;
    case MessageType.ReadIndex:
      // A new leader does not know the commit index of earlier terms until it
      // commits an entry of its own; hold reads until then.
      if (!r.committedEntryInCurrentTerm() && !(r.voters.length === 1 && r.isVoter(r.id))) {
        r.pendingReadIndexMessages.push(m);
        return;
      }
      r.startReadIndex(m);
      return;
    case MessageType.TransferLeader:
      transfer(r, m);
      return;
    default:
      break;
  }

  // Everything else is an answer from a peer we track.
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  switch (m.type) {
    case MessageType.AppResp: {
      pr.recentActive = true;
      if (m.reject) {
        // Fast backtracking: with the follower's (index, term) hint, jump to
        // the last entry of ours whose term is <= its term at that index.
        let next = m.rejectHint;
        if ((m.rejectTerm ?? 0) > 0) next = r.log.findConflictByTerm(m.rejectHint, m.rejectTerm!).index;
        if (pr.maybeDecrTo(m.index, next)) {
          if (pr.state === ProgressState.Replicate) pr.becomeProbe();
          r.sendAppend(m.from);
        }
        return;
      }
      const wasPaused = pr.isPaused();
      if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === ProgressState.Probe)) {
        if (pr.state === ProgressState.Probe) pr.becomeReplicate();
        else if (pr.state === ProgressState.Snapshot && pr.match + 1 >= r.log.firstIndex()) {
          // Caught up through the snapshot: back to streaming.
          pr.becomeProbe();
          pr.becomeReplicate();
        } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);

        if (r.maybeCommit()) {
          r.releasePendingReadIndexMessages();
          r.bcastAppend();
        } else if (wasPaused) {
          r.sendAppend(m.from);
        }
        while (r.maybeSendAppend(m.from, false)) {
          /* fill the pipeline */
        }
        if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
          r.logger.info('raft: transferee caught up; sending TimeoutNow', { to: m.from });
          r.sendTimeoutNow(m.from);
        }
      }
      return;
    }
    case MessageType.HeartbeatResp: {
      pr.recentActive = true;
      pr.probeSent = false;
      if (pr.state === ProgressState.Snapshot && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
      // A full window whose messages were lost would stall forever: free one
      // slot so the next append reveals the gap (the follower then rejects).
      if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne();
      if (pr.match < r.log.lastIndex()) r.sendAppend(m.from);
      if (m.context === undefined || m.context.length === 0) return;
      const acks = r.readOnly.recvAck(m.from, m.context);
      if (acks === undefined) return;
      const votes = new Map<string, boolean>();
      for (const id of acks) votes.set(id, true);
      if (voteResult(r.voters, votes) !== VoteResult.Won) return;
      // A quorum answered a heartbeat sent after these reads arrived: we
      // were leader when they were asked, so their read index is current.
      for (const rs of r.readOnly.advance(m.context)) r.respondReadIndex(rs.from, rs.index, rs.requestId);
      return;
    }
    case MessageType.SnapStatus:
      if (pr.state !== ProgressState.Snapshot) return;
      if (m.reject) pr.pendingSnapshot = 0;
      pr.becomeProbe();
      // Wait for the follower's answer (or a heartbeat) before probing.
      pr.probeSent = true;
      return;
    case MessageType.Unreachable:
      // Sends to it failed: stop streaming optimistically, probe instead.
      if (pr.state === ProgressState.Replicate) pr.becomeProbe();
      return;
    default:
      return;
  }
}

function propose(r: Raft, m: Message): void {
  if (m.entries.length === 0) return;
  if (!r.progress.has(r.id)) throw new ProposalDroppedError('', 'leader was removed from the configuration');
  if (r.leadTransferee !== '') throw new ProposalDroppedError('', 'leadership transfer in progress');
  const local = m.from === r.id;
  const ents: Entry[] = m.entries.map((e, i) => {
    if (e.type !== EntryType.ConfChange) return e;
    // Never two membership changes in flight: the next waits until the
    // previous one is applied, so each change moves from a configuration
    // every node has applied (one-server changes need this to keep quorums overlapping).
    if (r.pendingConfIndex > r.log.applied) {
      if (local) throw new ConfChangeInProgressError(r.pendingConfIndex);
      r.logger.info('raft: forwarded conf change ignored; another is pending', { pending: r.pendingConfIndex });
      return { ...e, type: EntryType.Normal, data: new Uint8Array(0) };
    }
    r.pendingConfIndex = r.log.lastIndex() + i + 1;
    return e;
  });
  r.appendEntry(ents);
  // Broadcast later (at Ready time) so a burst of proposals shares one append.
  r.needBroadcast = true;
}

function transfer(r: Raft, m: Message): void {
  const target = m.from;
  const pr = r.progress.get(target);
  if (pr === undefined || pr.isLearner) {
    r.logger.info('raft: transfer to a non-voter ignored', { target });
    return;
  }
  if (r.leadTransferee !== '') {
    if (r.leadTransferee === target) return; // already in progress
    r.abortLeaderTransfer();
  }
  if (target === r.id) return; // already leader
  // The transfer must finish within one election timeout, else it is abandoned.
  r.electionElapsed = 0;
  r.leadTransferee = target;
  if (pr.match === r.log.lastIndex()) r.sendTimeoutNow(target);
  else r.sendAppend(target);
}
