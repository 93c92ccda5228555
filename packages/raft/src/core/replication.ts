/**
 * The leader's sending side: appends paced by each follower's progress
 * (probe, replicate with a bounded pipeline, snapshot), heartbeats, and
 * snapshots for followers behind the compacted log.
 */
import { MessageType, Role, type NodeId, type Snapshot } from '../types.js';
import { entrySize } from './entry-size.js';
import { SnapshotUnavailableError } from './errors.js';
import { makeMessage } from './message.js';
import type { Progress } from './progress.js';
import type { Raft } from './raft.js';

/** Sends an append (or a snapshot) to `to` unless its progress is paused. */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  if (pr.next < r.log.firstIndex()) return sendSnapshot(r, to, pr);
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  const ents = r.log.entries(pr.next, r.cfg.maxSizePerMsg);
  if (ents.length === 0 && !sendIfEmpty) return false;
  let bytes = 0;
  for (const e of ents) bytes += entrySize(e);
  r.send(
    makeMessage({ type: MessageType.App, to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: r.log.committed }),
  );
  pr.sentEntries(ents.length, ents.length > 0 ? ents[ents.length - 1]!.index : prevIndex, bytes);
  return true;
}

function sendSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  // Only to followers we heard from lately: a snapshot is large.
  if (!pr.recentActive) return false;
  let snap: Snapshot;
  try {
    snap = r.log.snapshot();
  } catch (err) {
    if (err instanceof SnapshotUnavailableError) return false;
    throw err;
  }
  if (snap.metadata.index === 0) throw new RangeError('raft: need a snapshot but storage has none');
  pr.becomeSnapshot(snap.metadata.index);
  r.send(makeMessage({ type: MessageType.Snap, to, snapshot: snap }));
  r.logger.debug('raft: sent snapshot', { to, index: snap.metadata.index });
  return true;
}

/** Sends every follower what it lacks (or an empty append carrying the commit index). */
export function bcastAppend(r: Raft): void {
  r.needBroadcast = false;
  for (const id of r.progress.keys()) {
    if (id === r.id) continue;
    maybeSendAppend(r, id, true);
    // Pipelining: keep sending while the follower's window has room.
    while (maybeSendAppend(r, id, false)) {
      /* next batch */
    }
  }
}

/** Sends the broadcast deferred by proposals, so many proposals share one append. */
export function flushAppends(r: Raft): void {
  if (r.needBroadcast && r.role === Role.Leader) bcastAppend(r);
  r.needBroadcast = false;
}

/** Heartbeats to every other member, optionally carrying a ReadIndex request id. */
export function bcastHeartbeat(r: Raft, ctx: Uint8Array | undefined): void {
  for (const [id, pr] of r.progress) {
    if (id === r.id) continue;
    // Never tell a follower a commit index beyond what it is known to hold:
    // its log past `match` may still differ from ours.
    const commit = Math.min(pr.match, r.log.committed);
    r.send(makeMessage({ type: MessageType.Heartbeat, to: id, commit, ...(ctx !== undefined ? { context: ctx } : {}) }));
  }
}
