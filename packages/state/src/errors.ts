/**
 * Why a command failed. Every failure is a value in the apply result (the
 * log entry is still applied on every replica, with the same outcome);
 * `code` is what the API maps to a gRPC status.
 */
import type { ObjectKey, ValidationIssue } from '@shoal/api';
import { formatIssue, formatKey } from '@shoal/api';

export type StoreErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Precondition' | 'Forbidden';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
}

export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
  readonly code = 'NotFound';
  constructor(readonly key: ObjectKey) {
    super(`${formatKey(key)} not found`);
  }
}

export class AlreadyExistsError extends StoreError {
  override name = 'AlreadyExistsError';
  readonly code = 'AlreadyExists';
  constructor(readonly key: ObjectKey) {
    super(`${formatKey(key)} already exists`);
  }
}

/** A stale resourceVersion, or a pod that is already bound. Re-read and retry. */
export class ConflictError extends StoreError {
  override name = 'ConflictError';
  readonly code = 'Conflict';
  constructor(readonly key: ObjectKey, reason: string) {
    super(`${formatKey(key)}: ${reason}`);
  }
}

export class InvalidError extends StoreError {
  override name = 'InvalidError';
  readonly code = 'Invalid';
  constructor(readonly key: ObjectKey | undefined, readonly issues: readonly ValidationIssue[]) {
    super(`${key ? formatKey(key) : 'object'} is invalid: ${issues.map(formatIssue).join('; ')}`);
  }
}

/** A uid precondition did not hold (the object was replaced by another of the same name). */
export class PreconditionError extends StoreError {
  override name = 'PreconditionError';
  readonly code = 'Precondition';
  constructor(readonly key: ObjectKey, reason: string) {
    super(`${formatKey(key)}: precondition failed: ${reason}`);
  }
}

export class ForbiddenError extends StoreError {
  override name = 'ForbiddenError';
  readonly code = 'Forbidden';
  constructor(readonly key: ObjectKey | undefined, reason: string) {
    super(`${key ? `${formatKey(key)}: ` : ''}${reason}`);
  }
}

/**
 * A watch asked for a revision older than the retained history (HTTP 410
 * Gone in Kubernetes). The client must list again and watch from the list's
 * revision.
 */
export class CompactedError extends Error {
  override name = 'CompactedError';
  constructor(readonly requested: number, readonly oldest: number, reason?: string) {
    super(reason ?? `revision ${requested} has been compacted (oldest available is ${oldest}); list again and watch from the list's revision`);
  }
}

/** A watch asked for something that cannot be served (e.g. a negative revision). */
export class WatchRequestError extends Error {
  override name = 'WatchRequestError';
}

export class ContinueTokenError extends Error {
  override name = 'ContinueTokenError';
  constructor(reason: string) {
    super(`invalid continue token: ${reason}`);
  }
}

export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export class CommandDecodeError extends Error {
  override name = 'CommandDecodeError';
}
