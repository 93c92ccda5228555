/**
 * The one mapping from errors to gRPC statuses. Every handler answers
 * failures through `toStatus`, so clients see the same codes and metadata
 * (field path, leader address, reason) whichever node they talk to.
 */
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { ShoalError, shoalStatusError, type ShoalReason, type StatusDetails } from '@shoal/client';
import type { ValidationIssue } from '@shoal/api';

interface WithIssues {
  issues?: readonly ValidationIssue[];
}

/** An error thrown by handlers for a request that is wrong before it reaches the store. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
  constructor(readonly field: string, reason: string) {
    super(`${field}: ${reason}`);
  }
}

/** This node cannot serve now; `leader` is the leader's API address when known. */
export class NodeUnavailableError extends Error {
  override name = 'NodeUnavailableError';
  constructor(message: string, readonly leader?: string) {
    super(message);
  }
}

/** A request the cluster refuses for a named reason (member not found, already a member...). */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict', message: string) {
    super(message);
  }
}

function firstField(err: WithIssues): string | undefined {
  return err.issues?.[0]?.path;
}

export function toStatus(err: unknown, leaderAddress?: () => string | undefined): ServiceError {
  // An error from a call this node relayed to another: pass its status on unchanged.
  if (err instanceof ShoalError) return shoalStatusError(err.code, err.message, relayedDetails(err));
  const e = err as Error & { code?: string; field?: string; leader?: string } & WithIssues;
  const reason = (r: ShoalReason) => r;
  switch (e?.name) {
    case 'BadRequestError':
      return shoalStatusError(Status.INVALID_ARGUMENT, e.message, { field: e.field!, reason: reason('Invalid') });
    case 'ValidationError':
    case 'InvalidError': {
      const field = firstField(e);
      return shoalStatusError(Status.INVALID_ARGUMENT, e.message, { ...(field ? { field } : {}), reason: 'Invalid' });
    }
    case 'ManifestError':
    case 'SelectorParseError':
    case 'FieldSelectorError':
    case 'UnknownKindError':
    case 'QuantityError':
    case 'ContinueTokenError':
      return shoalStatusError(Status.INVALID_ARGUMENT, e.message, { reason: 'Invalid' });
    case 'RefusedError': {
      const refused = e as unknown as RefusedError;
      const code = refused.reason === 'NotFound' ? Status.NOT_FOUND : refused.reason === 'AlreadyExists' ? Status.ALREADY_EXISTS : Status.FAILED_PRECONDITION;
      return shoalStatusError(code, e.message, { reason: refused.reason });
    }
    case 'ContainerNotChosenError':
      return shoalStatusError(Status.INVALID_ARGUMENT, e.message, { field: 'container', reason: 'Invalid' });
    case 'ContainerNotRunningError':
    case 'NoPreviousInstanceError':
    case 'PodNotOnNodeError':
      return shoalStatusError(Status.FAILED_PRECONDITION, e.message, { reason: 'Conflict' });
    case 'ContainerNotFoundError':
    case 'NotFoundError':
      return shoalStatusError(Status.NOT_FOUND, e.message, { reason: 'NotFound' });
    case 'AlreadyExistsError':
      return shoalStatusError(Status.ALREADY_EXISTS, e.message, { reason: 'AlreadyExists' });
    case 'ConflictError':
    case 'PreconditionError':
      return shoalStatusError(Status.FAILED_PRECONDITION, e.message, { reason: 'Conflict' });
    case 'ForbiddenError':
      return shoalStatusError(Status.FAILED_PRECONDITION, e.message, { reason: 'Invalid' });
    case 'CompactedError':
      return shoalStatusError(Status.OUT_OF_RANGE, `${e.message}; list again and watch from the list's revision`, { reason: 'Compacted' });
    case 'NotLeaderError':
    case 'NoLeaderError':
    case 'StoppedError':
    case 'NodeUnavailableError': {
      const leader = e.leader || leaderAddress?.();
      return shoalStatusError(Status.UNAVAILABLE, leader ? `${e.message} (leader: ${leader})` : e.message, {
        ...(leader ? { leader } : {}),
        reason: e.name === 'NotLeaderError' ? 'NotLeader' : 'Unavailable',
      });
    }
    case 'RaftTimeoutError':
    case 'LeaderChangedError':
      // The proposal may still commit under the new leader: its outcome is unknown.
      return shoalStatusError(Status.UNAVAILABLE, `${e.message}; the write may still take effect`, { reason: 'Timeout' });
    default:
      return shoalStatusError(Status.INTERNAL, `internal error: ${e?.message ?? String(err)}`, { reason: 'Internal' });
  }
}

function relayedDetails(err: ShoalError): StatusDetails {
  const e = err as ShoalError & { field?: string; leader?: string; reason?: ShoalReason };
  return { ...(e.field ? { field: e.field } : {}), ...(e.leader ? { leader: e.leader } : {}), ...(e.reason ? { reason: e.reason } : {}) };
}
