/**
 * How reconcilers and the scheduler see the cluster and ask to change it.
 * They read through an `ObjectReader` (a consistent snapshot of the store)
 * and return `Action`s; the leader turns actions into log commands, choosing
 * uids and timestamps before proposing, so apply stays deterministic.
 */
import type { KubeObject, Kind, LabelSelector } from './types.js';

export interface ObjectKey {
  kind: Kind | string;
  /** '' for cluster-scoped kinds. */
  namespace: string;
  name: string;
}

export interface ListOptions {
  /** Omit for every namespace. */
  namespace?: string;
  labelSelector?: LabelSelector;
}

/** A read-only view of the store. Objects returned must not be mutated. */
export interface ObjectReader {
  get<T extends KubeObject = KubeObject>(key: ObjectKey): T | undefined;
  list<T extends KubeObject = KubeObject>(kind: Kind | string, opts?: ListOptions): T[];
  /** The store revision this view reflects. */
  readonly revision: number;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** A change a reconciler asks for. `create` may use metadata.generateName. */
export type Action =
  | { op: 'create'; object: KubeObject }
  /** Replace spec/metadata; metadata.resourceVersion is the precondition when set. */
  | { op: 'update'; object: KubeObject }
  /** Replace status only; metadata.resourceVersion is the precondition when set. */
  | { op: 'updateStatus'; object: KubeObject }
  | { op: 'delete'; key: ObjectKey; propagationPolicy?: PropagationPolicy; gracePeriodSeconds?: number; uid?: string }
  /** Bind a pod to a node (the scheduler's only action). */
  | { op: 'bind'; key: ObjectKey; nodeName: string; uid?: string }
  /** Take finalizers off an object (the owner of each finalizer, when its work is done); nothing else changes. */
  | { op: 'removeFinalizers'; key: ObjectKey; finalizers: string[]; uid?: string };
