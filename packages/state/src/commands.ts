/**
 * Commands: the facts the leader writes to the Raft log. Everything the
 * leader chooses (uids, timestamps, generated name suffixes) travels inside
 * the command, so applying it needs no clock or random source and every
 * replica reaches the same state.
 */
import type { KubeObject, ObjectKey, OwnerReference, PropagationPolicy } from '@shoal/api';
import { CommandDecodeError } from './errors.js';

/** Create an object. With metadata.generateName and no name, the name is generateName + nameSuffix. */
export interface CreateCommand {
  type: 'create';
  object: KubeObject;
  /** The new object's uid. */
  uid: string;
  /** RFC 3339; becomes metadata.creationTimestamp. */
  timestamp: string;
  nameSuffix?: string;
}

/**
 * Create or replace (what `shoal apply` sends), decided when applied, so it
 * is one log entry and no read before it: when no object has the name, a
 * create with `uid` and `timestamp`; else an update (status ignored,
 * metadata.resourceVersion a precondition only when set).
 */
export interface ApplyCommand {
  type: 'apply';
  object: KubeObject;
  /** The uid if the object is created. */
  uid: string;
  /** RFC 3339; the creationTimestamp if the object is created. */
  timestamp: string;
}

/**
 * Replace spec, data and metadata (labels, annotations, ownerReferences,
 * finalizers); status is kept. metadata.resourceVersion, when set, must equal
 * the stored one (else Conflict); metadata.uid, when set, must match.
 */
export interface UpdateCommand {
  type: 'update';
  object: KubeObject;
}

/** Replace status only, with the same preconditions as update. */
export interface UpdateStatusCommand {
  type: 'updateStatus';
  object: KubeObject;
}

export interface DeleteCommand {
  type: 'delete';
  key: ObjectKey;
  /** RFC 3339; deletionTimestamp is derived from it. */
  timestamp: string;
  /** Default Background. */
  propagationPolicy?: PropagationPolicy;
  /** Pods: override spec.terminationGracePeriodSeconds; 0 removes a terminating pod now. */
  gracePeriodSeconds?: number;
  /** Precondition: the object's uid. */
  uid?: string;
  /** Precondition: the object's resourceVersion. */
  resourceVersion?: string;
}

/** Bind a pod to a node; fails with Conflict when it is already bound or terminating. */
export interface BindCommand {
  type: 'bind';
  key: ObjectKey;
  nodeName: string;
  uid?: string;
}

/**
 * Small metadata edits that must not race with whole-object updates: what the
 * garbage collector and finalizer owners send.
 */
export interface PatchMetadataCommand {
  type: 'patchMetadata';
  key: ObjectKey;
  uid?: string;
  resourceVersion?: string;
  /** Set labels; a null value removes the label. */
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
  addFinalizers?: string[];
  removeFinalizers?: string[];
  /** Drop the ownerReferences pointing at these owner uids. */
  removeOwnerUids?: string[];
  /** Add ownerReferences (adoption); an existing reference to the same uid is replaced. */
  addOwnerReferences?: OwnerReference[];
}

/** Many commands in one log entry; each has its own result. Batches do not nest. */
export interface BatchCommand {
  type: 'batch';
  commands: SingleCommand[];
}

export type SingleCommand = CreateCommand | ApplyCommand | UpdateCommand | UpdateStatusCommand | DeleteCommand | BindCommand | PatchMetadataCommand;
export type Command = SingleCommand | BatchCommand;
export type CommandType = Command['type'];

const TYPES: ReadonlySet<string> = new Set(['create', 'apply', 'update', 'updateStatus', 'delete', 'bind', 'patchMetadata', 'batch']);
const decoder = new TextDecoder();

/** UTF-8 JSON. `Buffer.from` takes small results from Node's buffer pool: 0.4 us, where TextEncoder took 2. */
export function encodeCommand(cmd: Command): Uint8Array {
  return Buffer.from(JSON.stringify(cmd), 'utf8');
}

/** Parses a command from a log entry; checks the envelope, apply checks the rest. */
export function decodeCommand(data: Uint8Array): Command {
  let v: unknown;
  try {
    v = JSON.parse(decoder.decode(data));
  } catch (e) {
    throw new CommandDecodeError('command is not valid JSON', { cause: e });
  }
  if (typeof v !== 'object' || v === null || !TYPES.has((v as { type?: unknown }).type as string)) {
    throw new CommandDecodeError('command has no known type');
  }
  return v as Command;
}
