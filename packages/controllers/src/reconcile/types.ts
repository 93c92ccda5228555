/**
 * The reconciler contract. A reconcile request carries only a key; the
 * reconciler re-reads the view (level-triggered), and returns the actions that
 * move the cluster toward the desired state. It is pure and deterministic:
 * the same key, view and context give the same actions, so running it twice
 * (or on a new leader) never does the work twice. Objects read from the view
 * are never mutated: reconcilers copy before changing.
 */
import type { Action, ObjectKey, ObjectReader } from '@shoal/api';
import type { ControllerConfig } from './config.js';

export type LivenessState = 'alive' | 'suspect' | 'dead' | 'left';

export interface NodeLiveness {
  state: LivenessState;
  /** ms since the epoch at which the node entered this state. */
  since: number;
}

export interface ReconcileContext {
  /** The leader's clock, ms since the epoch. */
  now: number;
  config: ControllerConfig;
  /** Gossip's view of a node; undefined when gossip has never heard of it. */
  nodeLiveness?: (nodeName: string) => NodeLiveness | undefined;
}

export interface ReconcileResult {
  actions: Action[];
  /** Reconcile this key again after this long, even if nothing changes (timeouts, back-off, minReadySeconds). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: ObjectKey, view: ObjectReader, ctx: ReconcileContext) => ReconcileResult;
