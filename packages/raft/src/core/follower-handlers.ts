/**
 * How a follower takes what the leader sends: appends (with the consistency
 * check and a fast-backtracking hint on refusal), heartbeats and snapshots.
 */
import { MessageType, type Message, type Snapshot } from '../types.js';
import { makeMessage } from './message.js';
import type { Raft } from './raft.js';

export function handleAppend(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    // Already committed here: tell the leader where we are.
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.log.committed }));
    return;
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: lastNew }));
    return;
  }
  // Refused: hint the leader at the last index whose term is <= the term it
  // sent, so it can skip a whole conflicting term in one round trip.
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send(
    makeMessage({ type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hint.index, rejectTerm: hint.term }),
  );
}

export function handleHeartbeat(r: Raft, m: Message): void {
  // The leader never sends a commit beyond our match, so this is safe.
  r.log.commitTo(Math.min(m.commit, r.log.lastIndex()));
  r.send(makeMessage({ type: MessageType.HeartbeatResp, to: m.from, ...(m.context !== undefined ? { context: m.context } : {}) }));
}

export function handleSnapshot(r: Raft, m: Message): void {
  const s = m.snapshot;
  if (s === undefined) return;
  if (restore(r, s)) {
    r.logger.info('raft: restored snapshot', { index: s.metadata.index, term: s.metadata.term });
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.log.lastIndex() }));
  } else {
    r.send(makeMessage({ type: MessageType.AppResp, to: m.from, index: r.log.committed }));
  }
}

function restore(r: Raft, s: Snapshot): boolean {
  // Never roll back committed state.
  if (s.metadata.index <= r.log.committed) return false;
  if (r.log.matchTerm(s.metadata.index, s.metadata.term)) {
    // We already hold that entry: just fast-forward the commit index.
    r.log.commitTo(s.metadata.index);
    return false;
  }
  r.log.restore(s);
  r.setConf(s.metadata.conf);
  return true;
}
