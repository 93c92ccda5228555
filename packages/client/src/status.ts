/**
 * How errors cross the wire. Servers build their gRPC errors with
 * `shoalStatusError`; the client turns them back into typed errors with
 * `fromGrpcError` (errors.ts). The metadata keys are part of the contract
 * described at the top of api.proto.
 */
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';

/** The API address of the leader, on UNAVAILABLE from a node that knows one. */
export const LEADER_METADATA_KEY = 'shoal-leader';
/** The field path an INVALID_ARGUMENT is about ("spec.template.spec.containers[0].image"). */
export const FIELD_METADATA_KEY = 'shoal-field';
/** A cause name telling apart errors that share a code. */
export const REASON_METADATA_KEY = 'shoal-reason';

export type ShoalReason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Compacted'
  | 'NotLeader' | 'Unavailable' | 'Timeout' | 'Internal';

export interface StatusDetails {
  field?: string;
  leader?: string;
  reason?: ShoalReason;
}

/** A gRPC error carrying Shoal's metadata; pass it to a handler's callback or `call.destroy()`/`emit('error')`. */
export function shoalStatusError(code: Status, message: string, details: StatusDetails = {}): ServiceError {
  const metadata = new Metadata();
  if (details.field !== undefined) metadata.set(FIELD_METADATA_KEY, details.field);
  if (details.leader !== undefined) metadata.set(LEADER_METADATA_KEY, details.leader);
  if (details.reason !== undefined) metadata.set(REASON_METADATA_KEY, details.reason);
  const err = new Error(message) as ServiceError;
  err.code = code;
  err.details = message;
  err.metadata = metadata;
  return err;
}
