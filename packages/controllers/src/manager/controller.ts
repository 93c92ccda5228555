/**
 * A controller as the manager runs it: a reconciler for one kind, plus the
 * changes of other kinds that should wake it (owned objects map to their
 * controlling owner; `watches` map anything else).
 */
import type { Action, KubeObject, ObjectKey, ObjectReader } from '@shoal/api';
import type { Reconciler } from '../reconcile/types.js';

export interface Change {
  kind: string;
  key: ObjectKey;
  /** The object now, or undefined if it is gone. */
  object: KubeObject | undefined;
  /** The object before the change: undefined when it was just added. */
  previous: KubeObject | undefined;
}

export interface Watch {
  /** A kind, or '*' for every kind. */
  kind: string;
  map(change: Change, view: ObjectReader): ObjectKey[];
}

export interface Controller {
  /** Unique, e.g. "replicaset"; used in logs and queue keys. */
  name: string;
  /** The kind whose keys `reconcile` takes, or '*' for every kind (garbage collector). */
  kind: string;
  reconcile: Reconciler;
  /**
   * Which objects of `kind` are enqueued for their own sake (at start and
   * when they change); the rest only when a watch maps a change to them.
   * Only for objects on which `reconcile` would surely do nothing; absent:
   * every object.
   */
  selects?: (object: KubeObject) => boolean;
  /** Kinds whose changes wake their controlling owner of `kind` (by controller ownerReference). */
  owns?: string[];
  watches?: Watch[];
}

export type ActionErrorCode = 'Conflict' | 'NotFound' | 'AlreadyExists' | 'Invalid' | 'Unavailable' | 'Internal';

export type ActionResult = { ok: true } | { ok: false; code: ActionErrorCode; message: string };

/** Executes actions through the leader (Raft); resolves once each is applied or refused. */
export type ActionExecutor = (actions: Action[]) => Promise<ActionResult[]>;

/**
 * Refusals that mean the work is already done: a deterministic name that
 * exists (a retried create), or a delete of something already gone. Events
 * are best effort: a refused event never makes a reconcile retry.
 */
export function isBenign(action: Action, result: ActionResult): boolean {
  if (result.ok) return true;
  if (action.op === 'create' && action.object.kind === 'Event') return true;
  if (action.op === 'create' && result.code === 'AlreadyExists') return true;
  if (action.op === 'delete' && result.code === 'NotFound') return true;
  return false;
}
