/**
 * ReadIndex requests waiting on the leader: each records the commit index
 * when it arrived and who asked; it is answered once a quorum of voters has
 * acknowledged a heartbeat sent after it (so we were still leader then).
 */
import type { NodeId } from '../types.js';

export interface ReadIndexStatus {
  index: number;
  /** The node that asked (the leader itself for local reads). */
  from: NodeId;
  requestId: Uint8Array;
  acks: Set<NodeId>;
}

export function requestKey(id: Uint8Array): string {
  let s = '';
  for (const b of id) s += b.toString(16).padStart(2, '0');
  return s;
}

export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private readonly queue: string[] = [];

  add(index: number, from: NodeId, requestId: Uint8Array): void {
    const key = requestKey(requestId);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, from, requestId, acks: new Set() });
    this.queue.push(key);
  }

  /** Records `from` acknowledging the heartbeat that carried `requestId`; returns the ack set. */
  recvAck(from: NodeId, requestId: Uint8Array): Set<NodeId> | undefined {
    const st = this.pending.get(requestKey(requestId));
    if (st === undefined) return undefined;
    st.acks.add(from);
    return st.acks;
  }

  /**
   * Removes and returns every request up to and including `requestId`: a
   * quorum that acknowledged a later heartbeat confirms the earlier ones too.
   */
  advance(requestId: Uint8Array): ReadIndexStatus[] {
    const key = requestKey(requestId);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const keys = this.queue.splice(0, at + 1);
    const out: ReadIndexStatus[] = [];
    for (const k of keys) {
      const st = this.pending.get(k);
      if (st !== undefined) out.push(st);
      this.pending.delete(k);
    }
    return out;
  }

  /** The newest pending request id, carried by heartbeats. */
  lastPending(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? undefined : this.pending.get(k)?.requestId;
  }

  get size(): number {
    return this.queue.length;
  }
}
