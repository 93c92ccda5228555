/**
 * The leader's view of one follower: how much of the log it is known to
 * hold (`match`), what to send next (`next`), and how to send it.
 *
 * - Probe: we do not know where the follower's log ends; send one append at a
 *   time and wait for its answer (or a heartbeat response) before the next.
 * - Replicate: the follower is keeping up; stream appends optimistically,
 *   bounded by the in-flight window.
 * - Snapshot: the entries it needs are compacted; a snapshot is on its way
 *   and nothing else is sent until it is reported done or failed.
 */
import { Inflights } from './inflights.js';

export enum ProgressState {
  Probe = 'probe',
  Replicate = 'replicate',
  Snapshot = 'snapshot',
}

export class Progress {
  match = 0;
  state = ProgressState.Probe;
  /** In Snapshot state, the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** In Probe state, an append is outstanding. */
  probeSent = false;
  readonly inflights: Inflights;

  constructor(public next: number, maxInflight: number, maxInflightBytes: number, public isLearner: boolean) {
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, resume just past it (or past match if that is newer).
    if (this.state === ProgressState.Snapshot) {
      const pending = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records that an append with `entries` entries ending at `last` was sent. */
  sentEntries(count: number, last: number, bytes: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count > 0) {
        this.next = last + 1;
        this.inflights.add(last, bytes);
      }
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
    }
  }

  /** The follower acknowledged up to `n`. Returns false if that is stale news. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * The follower refused an append at `rejected`; `hint` is where its log
   * may match. Returns false if the refusal is stale (out of order).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      // A refusal below match is from an older message; ignore it.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // In probe, only the answer to the probe we sent (at next-1) counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
    }
  }
}
