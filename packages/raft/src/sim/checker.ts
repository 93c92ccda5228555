/**
 * The safety invariants, checked after every simulation step:
 * - election safety: at most one leader per term;
 * - log matching: entries with the same index and term hold the same data,
 *   and two logs that agree at an index agree on everything before it;
 * - leader completeness: an entry committed in a term is in the log of every
 *   leader of a later term;
 * - state machine safety: no two nodes apply different entries at one index;
 * - durability: no acknowledged write is lost;
 * - linearizable reads: a read sees at least every write acknowledged before it began.
 */
import type { Entry, NodeId } from '../types.js';
import type { SimNode } from './node.js';

export class SafetyViolationError extends Error {
  override name = 'SafetyViolationError';
}

function entryKey(e: Entry): string {
  let h = 0;
  for (const b of e.data) h = (Math.imul(h, 31) + b) | 0;
  return `${e.type}:${e.data.length}:${h}`;
}

export interface AckedWrite {
  id: string;
  key: string;
  index: number;
}

export class Checker {
  private readonly leaderOf = new Map<number, NodeId>();
  /** (index, term) -> data key of every entry ever persisted. */
  private readonly entryAt = new Map<string, string>();
  /** index -> (term, data key) of every entry ever applied anywhere. */
  private readonly appliedAt = new Map<number, { term: number; key: string; by: NodeId }>();
  /** Highest commit index reached by the leader of each term. */
  private readonly commitByTerm = new Map<number, number>();
  /** Term of the entry at each commit index a leader reached. */
  private readonly committedTerm = new Map<number, number>();
  private readonly seenLeader = new Set<string>();
  readonly acked = new Map<string, AckedWrite>();
  /** Per key, the highest log index of an acknowledged write. */
  private readonly lastAckedIndex = new Map<string, number>();
  maxAckedIndex = 0;
  reads = 0;

  fail(msg: string): never {
    throw new SafetyViolationError(msg);
  }

  persisted(node: SimNode, entries: Entry[]): void {
    for (const e of entries) {
      const k = `${e.index}/${e.term}`;
      const data = entryKey(e);
      const prev = this.entryAt.get(k);
      if (prev === undefined) this.entryAt.set(k, data);
      else if (prev !== data) this.fail(`log matching: ${node.id} persisted a different entry at index ${e.index} term ${e.term}`);
    }
  }

  applied(node: SimNode, e: Entry): void {
    const prev = this.appliedAt.get(e.index);
    const key = entryKey(e);
    if (prev === undefined) this.appliedAt.set(e.index, { term: e.term, key, by: node.id });
    else if (prev.term !== e.term || prev.key !== key) {
      this.fail(`state machine safety: ${node.id} applied term ${e.term} at ${e.index}, ${prev.by} applied term ${prev.term}`);
    }
  }

  ack(w: AckedWrite, wrote: boolean): void {
    this.acked.set(w.id, w);
    // A compare-and-swap that failed wrote nothing; it only orders the log.
    if (wrote) {
      this.lastAckedIndex.set(w.key, Math.max(this.lastAckedIndex.get(w.key) ?? 0, w.index));
    }
    this.maxAckedIndex = Math.max(this.maxAckedIndex, w.index);
  }

  /** What a read that starts now must at least observe. */
  readFloor(key: string): { keyIndex: number; anyIndex: number } {
    return { keyIndex: this.lastAckedIndex.get(key) ?? 0, anyIndex: this.maxAckedIndex };
  }

  checkRead(node: NodeId, key: string, readIndex: number, floor: { keyIndex: number; anyIndex: number }, seenIndex: number): void {
    this.reads++;
    if (readIndex < floor.anyIndex) {
      this.fail(`linearizable read: ${node} read index ${readIndex} is below acknowledged write at ${floor.anyIndex}`);
    }
    if (seenIndex < floor.keyIndex) {
      this.fail(`linearizable read: ${node} read ${key} as of write ${seenIndex}, but write ${floor.keyIndex} was acknowledged before the read`);
    }
  }

  /** Called after every step with all nodes. */
  checkStep(nodes: readonly SimNode[]): void {
    for (const n of nodes) {
      const raw = n.raw;
      if (raw === undefined || !n.isLeader()) continue;
      const r = raw.raft;
      const holder = this.leaderOf.get(r.term);
      if (holder === undefined) this.leaderOf.set(r.term, n.id);
      else if (holder !== n.id) this.fail(`election safety: ${holder} and ${n.id} are both leaders of term ${r.term}`);
      const seenKey = `${n.id}@${r.term}`;
      if (!this.seenLeader.has(seenKey)) {
        this.seenLeader.add(seenKey);
        this.checkLeaderCompleteness(n, r.term);
      }
      const c = r.log.committed;
      if (c > (this.commitByTerm.get(r.term) ?? 0)) {
        this.commitByTerm.set(r.term, c);
        const t = r.log.term(c);
        const known = this.committedTerm.get(c);
        if (known !== undefined && known !== t) this.fail(`commit safety: index ${c} committed with terms ${known} and ${t}`);
        this.committedTerm.set(c, t);
      }
    }
  }

  private checkLeaderCompleteness(n: SimNode, term: number): void {
    let maxC = 0;
    for (const [t, c] of this.commitByTerm) if (t < term && c > maxC) maxC = c;
    if (maxC === 0) return;
    const log = n.raw!.raft.log;
    // Compacted entries are covered by the snapshot, which holds only committed state.
    if (maxC < log.firstIndex() - 1) return;
    const want = this.committedTerm.get(maxC);
    const have = log.term(maxC);
    if (want !== undefined && have !== want) {
      this.fail(`leader completeness: ${n.id} leads term ${term} without committed entry ${maxC} (term ${want}, has ${have})`);
    }
  }

  /** Full log matching: where two logs agree at an index, they agree before it too. */
  checkLogMatching(nodes: readonly SimNode[]): void {
    const live = nodes.filter((n) => n.raw !== undefined);
    for (let i = 0; i < live.length; i++) {
      for (let j = i + 1; j < live.length; j++) {
        const a = live[i]!.raw!.raft.log;
        const b = live[j]!.raw!.raft.log;
        const lo = Math.max(a.firstIndex(), b.firstIndex());
        let hi = Math.min(a.lastIndex(), b.lastIndex());
        while (hi >= lo && a.term(hi) !== b.term(hi)) hi--;
        if (hi < lo) continue;
        const ea = a.slice(lo, hi + 1);
        const eb = b.slice(lo, hi + 1);
        for (let k = 0; k < ea.length; k++) {
          if (ea[k]!.term !== eb[k]!.term || entryKey(ea[k]!) !== entryKey(eb[k]!)) {
            this.fail(`log matching: ${live[i]!.id} and ${live[j]!.id} agree at ${hi} but differ at ${lo + k}`);
          }
        }
      }
    }
  }

  /** Every acknowledged write is in the applied history where it was acknowledged. */
  checkAckedWrites(): void {
    for (const w of this.acked.values()) {
      if (!this.appliedAt.has(w.index)) this.fail(`durability: acknowledged write ${w.id} at ${w.index} missing`);
    }
  }
}
