/**
 * Typed errors of the client. Every gRPC failure becomes one of these through
 * `fromGrpcError`, so callers catch by class instead of by status code.
 */
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { FIELD_METADATA_KEY, LEADER_METADATA_KEY, REASON_METADATA_KEY } from './status.js';

/** Base class: `code` is the gRPC status code, `server` the node that answered. */
export class ShoalError extends Error {
  override name = 'ShoalError';
  constructor(message: string, readonly code: Status = Status.UNKNOWN, readonly server?: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export class NotFoundError extends ShoalError {
  override name = 'NotFoundError';
}

export class AlreadyExistsError extends ShoalError {
  override name = 'AlreadyExistsError';
}

/** A stale resourceVersion or failed precondition: re-read and retry. */
export class ConflictError extends ShoalError {
  override name = 'ConflictError';
}

/** The request or object is invalid; `field` is the offending field path when the server named one. */
export class InvalidError extends ShoalError {
  override name = 'InvalidError';
  constructor(message: string, readonly field: string | undefined, code: Status, server?: string, options?: ErrorOptions) {
    super(message, code, server, options);
  }
}

/** A watch or continue token reached a compacted revision: list again. */
export class CompactedError extends ShoalError {
  override name = 'CompactedError';
}

/** No server could answer (all down, no leader). `leader` is a hint when one was named. */
export class UnavailableError extends ShoalError {
  override name = 'UnavailableError';
  constructor(message: string, readonly leader: string | undefined, code: Status = Status.UNAVAILABLE, server?: string, options?: ErrorOptions) {
    super(message, code, server, options);
  }
}

/**
 * The call's deadline passed, or the server timed out waiting for the write
 * to commit. For a write, the outcome is unknown: it may still take effect.
 */
export class TimeoutError extends ShoalError {
  override name = 'TimeoutError';
}

/**
 * The connection broke while a write was in flight: it may or may not have
 * been applied. The client does not retry it (a retry could apply it twice or
 * report a conflict with itself); re-read to find out.
 */
export class OutcomeUnknownError extends ShoalError {
  override name = 'OutcomeUnknownError';
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

function metadataValue(err: ServiceError, key: string): string | undefined {
  const v = err.metadata?.get(key)[0];
  return v === undefined ? undefined : String(v);
}

/**
 * The server's message without grpc-js's "5 NOT_FOUND: " prefix, and a
 * connection failure's long text cut to its cause ("connect ECONNREFUSED ...").
 */
function cleanMessage(err: ServiceError): string {
  const text = err.details || err.message.replace(/^\d+ [A-Z_]+: /, '');
  return text
    .replace(/\s*Resolution note:.*$/s, '')
    .replace(/^No connection established\. Last error: (?:Error: )?/, '')
    .trim();
}

/** A field path at the start of a message, "spec.replicas: must be >= 0". */
const FIELD_PREFIX = /^([A-Za-z_][\w.[\]-]*): /;

/** Turn any error from a grpc-js call into a typed ShoalError (others are returned as they are). */
export function fromGrpcError(err: unknown, server?: string): Error {
  if (err instanceof ShoalError || !isServiceError(err)) return err as Error;
  const message = cleanMessage(err);
  const reason = metadataValue(err, REASON_METADATA_KEY);
  const opts = { cause: err };
  switch (err.code) {
    case Status.NOT_FOUND:
      return new NotFoundError(message, err.code, server, opts);
    case Status.ALREADY_EXISTS:
      return new AlreadyExistsError(message, err.code, server, opts);
    case Status.ABORTED:
    case Status.FAILED_PRECONDITION:
      if (reason === 'Compacted') return new CompactedError(message, err.code, server, opts);
      return new ConflictError(message, err.code, server, opts);
    case Status.INVALID_ARGUMENT: {
      const field = metadataValue(err, FIELD_METADATA_KEY) ?? FIELD_PREFIX.exec(message)?.[1];
      return new InvalidError(message, field, err.code, server, opts);
    }
    case Status.OUT_OF_RANGE:
      return new CompactedError(message, err.code, server, opts);
    case Status.UNAVAILABLE:
      // A node that timed out waiting for the commit: the write may still happen.
      if (reason === 'Timeout') return new TimeoutError(message, err.code, server, opts);
      return new UnavailableError(message, metadataValue(err, LEADER_METADATA_KEY), err.code, server, opts);
    case Status.DEADLINE_EXCEEDED:
      return new TimeoutError(message, err.code, server, opts);
    default:
      return new ShoalError(message, err.code, server, opts);
  }
}

/**
 * True when a failed call certainly never took effect, so even a write may
 * be sent again: the connection was never established, or a node answered
 * that it cannot serve (it names a reason other than Timeout).
 */
export function neverApplied(err: unknown): boolean {
  const raw = err instanceof ShoalError && isServiceError(err.cause) ? err.cause : err;
  if (!isServiceError(raw) || raw.code !== Status.UNAVAILABLE) return false;
  const reason = metadataValue(raw, REASON_METADATA_KEY);
  if (reason !== undefined) return reason !== 'Timeout';
  const text = raw.details || raw.message;
  return /No connection established|ECONNREFUSED|Name resolution failed|EHOSTUNREACH|ENETUNREACH/.test(text);
}

/** Errors worth retrying on another server: the node is down, unreachable or cannot serve. */
export function isFailoverError(err: unknown): boolean {
  if (err instanceof UnavailableError) return true;
  // The client never cancels a unary call itself: CANCELLED means the server
  // went away mid-call (grpc-js reports a server shutdown's RST_STREAM so).
  const code = err instanceof ShoalError ? err.code : isServiceError(err) ? err.code : undefined;
  return code === Status.UNAVAILABLE || code === Status.CANCELLED;
}
