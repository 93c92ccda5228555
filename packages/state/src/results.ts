/** What applying a command returns on every replica. */
import type { StoreError } from './errors.js';
import type { StoredObject } from './object-table.js';

export interface ApplySuccess {
  ok: true;
  /** The store revision after this command. */
  revision: number;
  /** The object as stored after the command (for delete: its last state). */
  object?: StoredObject;
  /** delete only: true when the object is gone, false while deletion is pending. */
  removed?: boolean;
  /** apply only: whether the object was created, changed, or already as given (nothing written). */
  applied?: 'created' | 'configured' | 'unchanged';
  /** batch only: one result per command, in order. */
  results?: ApplyResult[];
}

export interface ApplyFailure {
  ok: false;
  revision: number;
  error: StoreError;
}

export type ApplyResult = ApplySuccess | ApplyFailure;
