/**
 * The application on top of the log. `apply` sees every committed normal
 * entry with a payload, in log order, exactly once per process lifetime
 * after the last `restore`; it must be deterministic.
 */
import type { Entry } from '../types.js';

export interface StateMachine {
  /**
   * `entry.data` is the payload given to `propose` (a view of the log
   * entry's bytes: never to be changed); the return value resolves that
   * proposal.
   */
  apply(entry: Entry): unknown;
  /**
   * The whole state as of the last applied entry. May return a promise, to
   * serialize a large state in pieces without stalling the event loop: the
   * node keeps applying entries meanwhile, so the promise must resolve to
   * the state as of the call (take a copy, or a copy-on-write view, first).
   * Between pieces it awaits `pause` when given: the node paces the work
   * with it (a snapshot is background work), and lets it run at full speed
   * when stopping.
   */
  snapshot(pause?: () => Promise<void>): Uint8Array | Promise<Uint8Array>;
  /** Replaces the whole state with a snapshot's. */
  restore(data: Uint8Array): void;
}
