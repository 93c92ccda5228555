/**
 * ShoalClient: typed calls to a Shoal cluster over any of its nodes, with
 * failover, deadlines on every call, resumable watches and informers.
 */
import type { KubeObject, PropagationPolicy } from '@shoal/api';
import { status as Status } from '@grpc/grpc-js';
import { ConflictError, UnavailableError, fromGrpcError, isFailoverError } from './errors.js';
import { startInformer, type Informer, type InformerHandler, type InformerOptions } from './informer.js';
import { ServerPool, type CallOptions } from './server-pool.js';
import { resumableWatch, type WatchEvent, type WatchOptions } from './watch.js';
import type * as W from './wire.js';

/** API addresses of cluster-config/local-3node.yaml. */
export const DEFAULT_SERVERS: readonly string[] = ['127.0.0.1:7100', '127.0.0.2:7100', '127.0.0.3:7100'];
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Page size of listAll (kubectl's chunk size). */
export const LIST_PAGE_SIZE = 500;

export interface ShoalClientOptions {
  /** host:port of API servers, tried in order. Default DEFAULT_SERVERS. */
  servers?: readonly string[];
  /** Deadline of each call unless the call says otherwise. Default 10 s. */
  timeoutMs?: number;
  /** Time a node gets to accept a connection before the next one is tried. Default 2 s. */
  connectTimeoutMs?: number;
}

export interface ObjectRef { namespace?: string }
export interface GetOptions extends ObjectRef, CallOptions { stale?: boolean }
export interface ModifyOptions extends ObjectRef, CallOptions {
  /** Reads and writes before a conflict is given up on (default 5). */
  attempts?: number;
}
export interface ListOptions extends CallOptions {
  /** Omit for every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  stale?: boolean;
}
export interface ListResult<T extends KubeObject> { items: T[]; revision: number; continue: string; remainingItemCount: number }
export interface DeleteOptions extends ObjectRef, CallOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditionUid?: string;
  preconditionResourceVersion?: string;
}
export interface DeleteResult<T extends KubeObject> { object: T; pending: boolean }
export type ApplyOutcome = 'created' | 'configured' | 'unchanged';
export interface ApplyResult<T extends KubeObject> { object: T; result: ApplyOutcome }

export interface LogsOptions extends CallOptions {
  namespace?: string;
  container?: string;
  follow?: boolean;
  tailLines?: number;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: number;
  signal?: AbortSignal;
}
export interface LogChunk { data: Buffer; stream: 'stdout' | 'stderr' | string }
export interface ExecOptions extends CallOptions {
  namespace?: string;
  container?: string;
  stdin?: Buffer | string;
  /** Server-side limit for the command. */
  commandTimeoutSeconds?: number;
}
export interface ExecResult { stdout: Buffer; stderr: Buffer; exitCode: number }

const APPLY_OUTCOMES: Record<W.ApplyResult, ApplyOutcome> = {
  APPLY_RESULT_UNSPECIFIED: 'configured',
  APPLY_RESULT_CREATED: 'created',
  APPLY_RESULT_CONFIGURED: 'configured',
  APPLY_RESULT_UNCHANGED: 'unchanged',
};

function parse<T>(json: string): T {
  return JSON.parse(json) as T;
}

export class ShoalClient {
  readonly pool: ServerPool;

  constructor(opts: ShoalClientOptions = {}) {
    this.pool = new ServerPool(opts.servers && opts.servers.length > 0 ? opts.servers : DEFAULT_SERVERS, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, opts.connectTimeoutMs);
  }

  // ------------------------------------------------------------ objects

  async apply<T extends KubeObject>(object: T, opts: CallOptions = {}): Promise<ApplyResult<T>> {
    // Apply sets the same state however often it runs, so it may be retried like a read.
    const res = await this.pool.unary<W.ApplyResponse>('ObjectService', 'Apply', { object_json: JSON.stringify(object) }, { idempotent: true, ...opts });
    return { object: parse<T>(res.object_json), result: APPLY_OUTCOMES[res.result] ?? 'configured' };
  }

  async create<T extends KubeObject>(object: T, opts: CallOptions = {}): Promise<T> {
    const res = await this.pool.unary<W.ObjectResponse>('ObjectService', 'Create', { object_json: JSON.stringify(object) }, opts);
    return parse<T>(res.object_json);
  }

  async get<T extends KubeObject = KubeObject>(kind: string, name: string, opts: GetOptions = {}): Promise<T> {
    const req: W.GetRequest = { kind, namespace: opts.namespace ?? '', name, stale: opts.stale ?? false };
    const res = await this.pool.unary<W.ObjectResponse>('ObjectService', 'Get', req, { idempotent: true, ...opts });
    return parse<T>(res.object_json);
  }

  /** One page (all items when no limit is given). */
  async list<T extends KubeObject = KubeObject>(kind: string, opts: ListOptions = {}): Promise<ListResult<T>> {
    const req: W.ListRequest = {
      kind,
      namespace: opts.namespace ?? '',
      label_selector: opts.labelSelector ?? '',
      field_selector: opts.fieldSelector ?? '',
      limit: opts.limit ?? 0,
      continue: opts.continue ?? '',
      stale: opts.stale ?? false,
    };
    const res = await this.pool.unary<W.ListResponse>('ObjectService', 'List', req, { idempotent: true, ...opts });
    return { items: res.items_json.map((j) => parse<T>(j)), revision: res.revision, continue: res.continue, remainingItemCount: res.remaining_item_count };
  }

  /**
   * Every object, fetched in pages of `opts.limit` (default LIST_PAGE_SIZE)
   * through continue tokens. Each page shows the store as it is when that
   * page is read; the revision returned is the first page's, so a watch from
   * it sees every change after it (a change may also show in a later page).
   */
  async listAll<T extends KubeObject = KubeObject>(kind: string, opts: Omit<ListOptions, 'continue'> = {}): Promise<{ items: T[]; revision: number }> {
    const items: T[] = [];
    opts = { ...opts, limit: opts.limit ?? LIST_PAGE_SIZE };
    let page = await this.list<T>(kind, opts);
    const revision = page.revision;
    // One push per item: push(...page.items) throws past ~120,000 items (a caller's large limit).
    for (const o of page.items) items.push(o);
    while (page.continue) {
      page = await this.list<T>(kind, { ...opts, continue: page.continue });
      for (const o of page.items) items.push(o);
    }
    return { items, revision };
  }

  async update<T extends KubeObject>(object: T, opts: CallOptions = {}): Promise<T> {
    const res = await this.pool.unary<W.ObjectResponse>('ObjectService', 'Update', { object_json: JSON.stringify(object) }, opts);
    return parse<T>(res.object_json);
  }

  /**
   * Read, change, write: `change` gets the current object and returns the
   * one to write (undefined: write nothing). When another writer got there
   * first (a ConflictError: the object's resourceVersion moved, e.g. a
   * controller wrote its status), it reads again and calls `change` again.
   */
  async modify<T extends KubeObject>(kind: string, name: string, change: (current: T) => T | undefined, opts: ModifyOptions = {}): Promise<T | undefined> {
    const { attempts = 5, ...call } = opts;
    for (let i = 0; ; i++) {
      const next = change(await this.get<T>(kind, name, call));
      if (!next) return undefined;
      try {
        return await this.update(next, call);
      } catch (err) {
        if (!(err instanceof ConflictError) || i + 1 >= attempts) throw err;
      }
    }
  }

  async updateStatus<T extends KubeObject>(object: T, opts: CallOptions = {}): Promise<T> {
    const res = await this.pool.unary<W.ObjectResponse>('ObjectService', 'UpdateStatus', { object_json: JSON.stringify(object) }, opts);
    return parse<T>(res.object_json);
  }

  async delete<T extends KubeObject = KubeObject>(kind: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult<T>> {
    const req: W.DeleteRequest = {
      kind,
      namespace: opts.namespace ?? '',
      name,
      propagation_policy: opts.propagationPolicy ?? '',
      precondition_uid: opts.preconditionUid ?? '',
      precondition_resource_version: opts.preconditionResourceVersion ?? '',
    };
    if (opts.gracePeriodSeconds !== undefined) req.grace_period_seconds = opts.gracePeriodSeconds;
    const res = await this.pool.unary<W.DeleteResponse>('ObjectService', 'Delete', req, opts);
    return { object: parse<T>(res.object_json), pending: res.pending };
  }

  /**
   * Changes to objects of `kind` after `opts.resourceVersion` (default: now),
   * resumed on another server after a disconnect. Throws CompactedError when
   * the history is gone (list again), and ends when `opts.signal` aborts or
   * the caller breaks out of the loop.
   */
  watch<T extends KubeObject = KubeObject>(kind: string, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    // "Now" is when watch() is called, not when the caller first iterates.
    const now = opts.resourceVersion !== undefined ? undefined : this.list(kind, { namespace: opts.namespace, limit: 1 }).then((l) => l.revision);
    now?.catch(() => {}); // reported when iterated
    return resumableWatch<T>(this.pool, kind, opts, () => now ?? Promise.resolve(0));
  }

  /** List, then watch, with a cache; relists on compaction. See informer.ts. */
  listAndWatch<T extends KubeObject = KubeObject>(kind: string, opts: InformerOptions, handler: InformerHandler<T>): Informer<T> {
    return startInformer<T>({ listAll: (k, o) => this.listAll<T>(k, o), watch: (k, o) => this.watch<T>(k, o) }, kind, opts, handler);
  }

  // ------------------------------------------------------------ pods

  /** A container's output; with `follow`, until the container stops or `signal` aborts. */
  async *logs(pod: string, opts: LogsOptions = {}): AsyncGenerator<LogChunk, void, undefined> {
    const req: W.LogsRequest = {
      namespace: opts.namespace ?? '',
      name: pod,
      container: opts.container ?? '',
      follow: opts.follow ?? false,
      previous: opts.previous ?? false,
      timestamps: opts.timestamps ?? false,
      since_seconds: opts.sinceSeconds ?? 0,
    };
    if (opts.tailLines !== undefined) req.tail_lines = opts.tailLines;
    // Fail over only until the first chunk arrives: after that, a retry would repeat output.
    for (let attempt = 0; attempt < this.pool.size; attempt++) {
      const deadline = opts.follow ? undefined : (opts.timeoutMs ?? this.pool.defaultTimeoutMs);
      await this.pool.preferConnected('PodService');
      const { call, address } = this.pool.stream<W.LogChunk>('PodService', 'Logs', req, deadline);
      const cancel = (): void => call.cancel();
      opts.signal?.addEventListener('abort', cancel, { once: true });
      let received = false;
      try {
        for await (const chunk of call as AsyncIterable<W.LogChunk>) {
          received = true;
          yield { data: chunk.data, stream: chunk.stream || 'stdout' };
        }
        return;
      } catch (raw) {
        if (opts.signal?.aborted) return;
        const err = fromGrpcError(raw, address);
        if (received || !isFailoverError(err)) throw err;
        this.pool.skip(address);
      } finally {
        opts.signal?.removeEventListener('abort', cancel);
        call.cancel();
      }
    }
    throw new UnavailableError(`no Shoal server answered Logs for pod ${pod}`, undefined, Status.UNAVAILABLE);
  }

  async exec(pod: string, command: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const req: W.ExecRequest = {
      namespace: opts.namespace ?? '',
      name: pod,
      container: opts.container ?? '',
      command: [...command],
      stdin: typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : (opts.stdin ?? Buffer.alloc(0)),
      timeout_seconds: opts.commandTimeoutSeconds ?? 0,
    };
    const res = await this.pool.unary<W.ExecResponse>('PodService', 'Exec', req, opts);
    return { stdout: res.stdout, stderr: res.stderr, exitCode: res.exit_code };
  }

  // ------------------------------------------------------------ admin

  async members(opts: CallOptions = {}): Promise<W.Member[]> {
    return (await this.pool.unary<W.MembersResponse>('AdminService', 'Members', {}, { idempotent: true, ...opts })).members;
  }

  raftStatus(opts: CallOptions = {}): Promise<W.RaftStatusResponse> {
    return this.pool.unary<W.RaftStatusResponse>('AdminService', 'RaftStatus', {}, { idempotent: true, ...opts });
  }

  leader(opts: CallOptions = {}): Promise<W.LeaderResponse> {
    return this.pool.unary<W.LeaderResponse>('AdminService', 'Leader', {}, { idempotent: true, ...opts });
  }

  /** Hand leadership to `targetId` ('' lets the leader choose). */
  transferLeader(targetId = '', opts: CallOptions = {}): Promise<W.LeaderResponse> {
    return this.pool.unary<W.LeaderResponse>('AdminService', 'TransferLeader', { target_id: targetId }, opts);
  }

  snapshot(opts: CallOptions = {}): Promise<W.SnapshotResponse> {
    return this.pool.unary<W.SnapshotResponse>('AdminService', 'Snapshot', {}, opts);
  }

  async addNode(node: W.AddNodeRequest, opts: CallOptions = {}): Promise<W.Member[]> {
    return (await this.pool.unary<W.MembersResponse>('AdminService', 'AddNode', node, opts)).members;
  }

  async removeNode(id: string, opts: CallOptions = {}): Promise<W.Member[]> {
    return (await this.pool.unary<W.MembersResponse>('AdminService', 'RemoveNode', { id }, opts)).members;
  }

  close(): void {
    this.pool.close();
  }
}
