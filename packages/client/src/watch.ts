/**
 * A watch that survives its server: when the stream breaks (node killed,
 * restarted, shutting down) it reopens on the next server from the revision
 * of the last event it delivered, so the caller sees every change once, in
 * order. Only a compacted revision (CompactedError: list again) or a request
 * error (InvalidError, NotFoundError...) ends it with an error.
 */
import type { KubeObject } from '@shoal/api';
import { status as Status } from '@grpc/grpc-js';
import { CompactedError, ShoalError, UnavailableError, fromGrpcError } from './errors.js';
import type { ServerPool } from './server-pool.js';
import { sleep } from './sleep.js';
import type { WatchEvent as WireWatchEvent, WatchRequest } from './wire.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** Absent for BOOKMARK. */
  object?: T;
  revision: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Deliver changes after this revision (e.g. a list's revision; 0: all retained history). Default: from when watch() was called. */
  resourceVersion?: number;
  /** Yield BOOKMARK events too. */
  allowBookmarks?: boolean;
  signal?: AbortSignal;
  /** First delay before reconnecting; doubles up to maxRetryDelayMs. Default 100. */
  retryDelayMs?: number;
  /** Default 2000. */
  maxRetryDelayMs?: number;
  /** Give up (UnavailableError) after no server answered for this long. Default: never. */
  giveUpAfterMs?: number;
  /** Told about each reconnect (for logs and tests). */
  onReconnect?: (info: { from: string; error: Error; revision: number }) => void;
}

/** Codes after which the same request cannot succeed by retrying elsewhere. */
const FINAL_CODES = new Set<number>([
  Status.INVALID_ARGUMENT, Status.NOT_FOUND, Status.ALREADY_EXISTS, Status.PERMISSION_DENIED,
  Status.FAILED_PRECONDITION, Status.OUT_OF_RANGE, Status.UNIMPLEMENTED, Status.UNAUTHENTICATED,
]);

function isFinal(err: Error): boolean {
  if (err instanceof CompactedError) return true;
  return err instanceof ShoalError && FINAL_CODES.has(err.code);
}

/** Resolve the revision "now" so a reconnect before the first event leaves no gap. */
export type CurrentRevision = () => Promise<number>;

export async function* resumableWatch<T extends KubeObject>(
  pool: ServerPool,
  kind: string,
  opts: WatchOptions,
  currentRevision: CurrentRevision,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const signal = opts.signal;
  // Always send a concrete revision, so a reconnect resumes exactly where the caller is.
  let revision = opts.resourceVersion ?? (await currentRevision());
  const firstDelay = opts.retryDelayMs ?? 100;
  const maxDelay = opts.maxRetryDelayMs ?? 2000;
  let delay = firstDelay;
  let downSince: number | undefined;

  while (!signal?.aborted) {
    const request: WatchRequest = {
      kind,
      namespace: opts.namespace ?? '',
      label_selector: opts.labelSelector ?? '',
      field_selector: opts.fieldSelector ?? '',
      resource_version: revision,
      // Always ask for bookmarks: they move the resume point forward while idle.
      allow_bookmarks: true,
    };
    await pool.preferConnected('ObjectService');
    if (signal?.aborted) return;
    const { call, address } = pool.stream<WireWatchEvent>('ObjectService', 'Watch', request);
    const cancel = (): void => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    let failure: Error;
    try {
      for await (const wire of call as AsyncIterable<WireWatchEvent>) {
        if (wire.type === 'ERROR') {
          throw fromGrpcError(Object.assign(new Error(wire.error_message), { code: wire.error_code, details: wire.error_message, metadata: undefined }), address);
        }
        downSince = undefined;
        delay = firstDelay;
        if (wire.type === 'BOOKMARK') {
          if (wire.revision < revision) continue;
          revision = wire.revision;
          if (opts.allowBookmarks) yield { type: 'BOOKMARK', revision };
          continue;
        }
        // A change at or below the resume point was already delivered.
        if (wire.revision <= revision) continue;
        revision = wire.revision;
        if (wire.type !== 'ADDED' && wire.type !== 'MODIFIED' && wire.type !== 'DELETED') continue;
        yield { type: wire.type, object: JSON.parse(wire.object_json) as T, revision };
      }
      failure = new UnavailableError(`watch stream from ${address} ended`, undefined, Status.UNAVAILABLE, address);
    } catch (raw) {
      if (signal?.aborted) return;
      failure = fromGrpcError(raw, address);
      if (isFinal(failure)) throw failure;
    } finally {
      signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
    // The stream broke: resume on the next server after a short back-off.
    const now = Date.now();
    downSince ??= now;
    if (opts.giveUpAfterMs !== undefined && now - downSince >= opts.giveUpAfterMs) {
      throw new UnavailableError(`watch of ${kind}: no server answered for ${opts.giveUpAfterMs} ms: ${failure.message}`, undefined, Status.UNAVAILABLE, address, { cause: failure });
    }
    opts.onReconnect?.({ from: address, error: failure, revision });
    pool.skip(address);
    await sleep(delay, signal);
    delay = Math.min(maxDelay, delay * 2);
  }
}
