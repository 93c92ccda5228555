/**
 * MemoryShoalServer: a test double of a Shoal node. A real in-process gRPC
 * server speaking proto/shoal/v1/api.proto over MemoryObjectStore, so the
 * client and the CLI are tested through the same wire a daemon serves. It is
 * not the product: no Raft, no validation beyond the basics, no pods running
 * (logs and exec come from what the test sets up).
 */
import * as grpc from '@grpc/grpc-js';
import { parseSelector, matchesSelector, SelectorParseError, type KubeObject, type LabelSelector } from '@shoal/api';
import { loadShoalProto } from '../proto.js';
import { shoalStatusError } from '../status.js';
import type { AdminServiceHandlers, ObjectServiceHandlers, PodServiceHandlers } from '../handlers.js';
import type * as W from '../wire.js';
import { matchesFields, parseFieldSelector, type FieldRequirement } from './field-selector.js';
import { MemoryObjectStore, type Change } from './memory-object-store.js';

const { status: Status } = grpc;

export type ExecHandler = (req: W.ExecRequest) => { stdout?: string; stderr?: string; exitCode: number };

export interface MemoryShoalServerOptions {
  /** Shared store (several servers over one store act like one cluster). */
  store?: MemoryObjectStore;
  /** This node's id in Members/RaftStatus. Default "memory-1". */
  id?: string;
  members?: W.Member[];
  exec?: ExecHandler;
  /** Send a BOOKMARK on idle watches this often (0: only at the start). */
  bookmarkIntervalMs?: number;
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

interface LogSource { lines: string[]; followers: Set<grpc.ServerWritableStream<W.LogsRequest, W.LogChunk>> }

export class MemoryShoalServer {
  readonly store: MemoryObjectStore;
  readonly id: string;
  members: W.Member[];
  exec: ExecHandler | undefined;
  /** When true, unary calls are received (and recorded) but never answered: a node that hangs. */
  hang = false;
  /** When set, every call fails with UNAVAILABLE naming this leader (a node that cannot serve). */
  unavailable: { leader?: string } | undefined;
  /** Requests received, by method, for assertions. */
  readonly calls: { method: string; request: unknown }[] = [];
  private server: grpc.Server | undefined;
  private port = 0;
  private readonly logs = new Map<string, LogSource>();
  private readonly bookmarkIntervalMs: number;
  private readonly openWatches = new Set<() => void>();
  private readonly watchFailers = new Set<(code: grpc.status, message: string) => void>();

  constructor(opts: MemoryShoalServerOptions = {}) {
    this.store = opts.store ?? new MemoryObjectStore();
    this.id = opts.id ?? 'memory-1';
    this.members = opts.members ?? [{ id: this.id, api_address: '', gossip_address: '', state: 'alive', raft_role: 'voter', leader: true, meta: {}, incarnation: 0 }];
    this.exec = opts.exec;
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 0;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Listen on 127.0.0.1 (the same port again after a stop, or `port`); resolves with the address. */
  async start(port = this.port): Promise<string> {
    const server = new grpc.Server();
    const proto = loadShoalProto();
    server.addService(proto.ObjectService.service, this.objectHandlers() as unknown as grpc.UntypedServiceImplementation);
    server.addService(proto.PodService.service, this.podHandlers() as unknown as grpc.UntypedServiceImplementation);
    server.addService(proto.AdminService.service, this.adminHandlers() as unknown as grpc.UntypedServiceImplementation);
    this.port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
    });
    this.server = server;
    for (const m of this.members) if (m.id === this.id && !m.api_address) m.api_address = this.address;
    return this.address;
  }

  /** Stop at once, breaking open streams (like a killed node). The store survives for a restart. */
  stop(): void {
    for (const close of [...this.openWatches]) close();
    for (const src of this.logs.values()) src.followers.clear();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  // ------------------------------------------------------------ test controls

  setLogs(namespace: string, pod: string, container: string, text: string): void {
    this.logSource(namespace, pod, container).lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  }

  /** Append lines and send them to followers. */
  appendLogs(namespace: string, pod: string, container: string, text: string): void {
    const src = this.logSource(namespace, pod, container);
    const lines = text.split('\n').filter(Boolean);
    src.lines.push(...lines);
    for (const f of src.followers) f.write({ data: Buffer.from(lines.map((l) => `${l}\n`).join('')), stream: 'stdout' });
  }

  /**
   * Send every open watch an ERROR event with this gRPC code, then end it
   * (e.g. OUT_OF_RANGE: the watcher fell behind compacted history).
   */
  failWatches(code: grpc.status, message: string): void {
    for (const fail of [...this.watchFailers]) fail(code, message);
  }

  /** End every follower of a container's logs (the container stopped). */
  endLogs(namespace: string, pod: string, container: string): void {
    const src = this.logSource(namespace, pod, container);
    for (const f of src.followers) f.end();
    src.followers.clear();
  }

  private logSource(namespace: string, pod: string, container: string): LogSource {
    const key = `${namespace}/${pod}/${container}`;
    let src = this.logs.get(key);
    if (!src) this.logs.set(key, (src = { lines: [], followers: new Set() }));
    return src;
  }

  // ------------------------------------------------------------ plumbing

  /** Wrap a unary handler: record it, honour `unavailable`, turn throws into statuses. */
  private unary<Req, Res>(method: string, fn: (req: Req) => Res): Unary<Req, Res> {
    return (call, cb) => {
      this.calls.push({ method, request: call.request });
      if (this.unavailable) return cb(this.notServing());
      if (this.hang) return;
      try {
        cb(null, fn(call.request));
      } catch (err) {
        cb(asStatus(err));
      }
    };
  }

  private notServing(): grpc.ServiceError {
    const leader = this.unavailable?.leader;
    return shoalStatusError(Status.UNAVAILABLE, leader ? `not the leader; the leader is at ${leader}` : 'no leader known', { reason: leader ? 'NotLeader' : 'Unavailable', ...(leader ? { leader } : {}) });
  }

  private objectHandlers(): ObjectServiceHandlers {
    const store = this.store;
    const parse = (json: string): unknown => {
      try {
        return JSON.parse(json) as unknown;
      } catch (err) {
        throw shoalStatusError(Status.INVALID_ARGUMENT, `object_json: not valid JSON (${(err as Error).message})`, { field: 'object_json', reason: 'Invalid' });
      }
    };
    return {
      Apply: this.unary<W.ApplyRequest, W.ApplyResponse>('Apply', (req) => {
        const { object, result } = store.apply(parse(req.object_json));
        const wire = { created: 'APPLY_RESULT_CREATED', configured: 'APPLY_RESULT_CONFIGURED', unchanged: 'APPLY_RESULT_UNCHANGED' } as const;
        return { object_json: JSON.stringify(object), result: wire[result] };
      }),
      Create: this.unary<W.CreateRequest, W.ObjectResponse>('Create', (req) => ({ object_json: JSON.stringify(store.create(parse(req.object_json))) })),
      Get: this.unary<W.GetRequest, W.ObjectResponse>('Get', (req) => ({ object_json: JSON.stringify(store.mustGet(req.kind, req.namespace, req.name)) })),
      List: this.unary<W.ListRequest, W.ListResponse>('List', (req) => this.list(req)),
      Update: this.unary<W.UpdateRequest, W.ObjectResponse>('Update', (req) => ({ object_json: JSON.stringify(store.update(parse(req.object_json))) })),
      UpdateStatus: this.unary<W.UpdateRequest, W.ObjectResponse>('UpdateStatus', (req) => ({ object_json: JSON.stringify(store.update(parse(req.object_json), true)) })),
      Delete: this.unary<W.DeleteRequest, W.DeleteResponse>('Delete', (req) => {
        const { object, pending } = store.delete(req.kind, req.namespace, req.name, {
          propagationPolicy: req.propagation_policy,
          ...(req.grace_period_seconds === undefined ? {} : { gracePeriodSeconds: req.grace_period_seconds }),
          uid: req.precondition_uid,
          resourceVersion: req.precondition_resource_version,
        });
        return { object_json: JSON.stringify(object), pending };
      }),
      Watch: (call: grpc.ServerWritableStream<W.WatchRequest, W.WatchEvent>) => this.watch(call),
    };
  }

  private list(req: W.ListRequest): W.ListResponse {
    const filter = compileFilter(req.kind, req.label_selector, req.field_selector);
    let items = this.store.list(req.kind, req.namespace).filter(filter);
    // Continue token: the key after which the next page starts (read at the current revision: a double's shortcut).
    const after = req.continue ? Buffer.from(req.continue, 'base64url').toString() : '';
    if (after) items = items.filter((o) => this.store.keyOf(o) > after);
    let next = '';
    let remaining = 0;
    if (req.limit > 0 && items.length > req.limit) {
      remaining = items.length - req.limit;
      items = items.slice(0, req.limit);
      next = Buffer.from(this.store.keyOf(items[items.length - 1]!)).toString('base64url');
    }
    return { items_json: items.map((o) => JSON.stringify(o)), revision: this.store.revision, continue: next, remaining_item_count: remaining };
  }

  private watch(call: grpc.ServerWritableStream<W.WatchRequest, W.WatchEvent>): void {
    const req = call.request;
    this.calls.push({ method: 'Watch', request: req });
    if (this.unavailable) return void call.emit('error', this.notServing());
    let filter: (o: KubeObject) => boolean;
    try {
      filter = compileFilter(req.kind, req.label_selector, req.field_selector, req.namespace);
    } catch (err) {
      return void call.emit('error', asStatus(err));
    }
    const from = req.resource_version ?? this.store.revision;
    const past = this.store.changesSince(from);
    if (!past) {
      return void call.emit('error', shoalStatusError(Status.OUT_OF_RANGE, `revision ${from} has been compacted (oldest available ${this.store.compactedThrough}); list again and watch from the list's revision`, { reason: 'Compacted' }));
    }
    const send = (change: Change): void => {
      const event = toWireEvent(change, filter);
      if (event) call.write(event);
    };
    const event = (type: W.WireEventType, revision: number): W.WatchEvent => ({ type, object_json: '', revision, error_code: 0, error_message: '' });
    // Replay and subscribe in one synchronous step: no change can slip between them.
    if (req.allow_bookmarks) call.write(event('BOOKMARK', from));
    for (const change of past) send(change);
    const unsubscribe = this.store.subscribe(send);
    const timer = req.allow_bookmarks && this.bookmarkIntervalMs > 0 ? setInterval(() => call.write(event('BOOKMARK', this.store.revision)), this.bookmarkIntervalMs) : undefined;
    const close = (): void => {
      unsubscribe();
      if (timer) clearInterval(timer);
      this.openWatches.delete(close);
      this.watchFailers.delete(fail);
    };
    const fail = (code: grpc.status, message: string): void => {
      close();
      call.write({ type: 'ERROR', object_json: '', revision: this.store.revision, error_code: code, error_message: message });
      call.end();
    };
    this.openWatches.add(close);
    this.watchFailers.add(fail);
    call.on('cancelled', close);
    call.on('close', close);
  }

  private podHandlers(): PodServiceHandlers {
    return {
      Logs: (call: grpc.ServerWritableStream<W.LogsRequest, W.LogChunk>) => {
        const req = call.request;
        this.calls.push({ method: 'Logs', request: req });
        if (this.unavailable) return void call.emit('error', this.notServing());
        try {
          const container = this.containerOf(req.namespace, req.name, req.container);
          const src = this.logSource(req.namespace || 'default', req.name, container);
          let lines = src.lines;
          if (req.tail_lines !== undefined) lines = req.tail_lines > 0 ? lines.slice(-req.tail_lines) : [];
          if (lines.length > 0) call.write({ data: Buffer.from(lines.map((l) => `${l}\n`).join('')), stream: 'stdout' });
          if (!req.follow) return void call.end();
          src.followers.add(call);
          call.on('cancelled', () => src.followers.delete(call));
        } catch (err) {
          call.emit('error', asStatus(err));
        }
      },
      Exec: this.unary<W.ExecRequest, W.ExecResponse>('Exec', (req) => {
        this.containerOf(req.namespace, req.name, req.container);
        if (req.command.length === 0) throw shoalStatusError(Status.INVALID_ARGUMENT, 'command: required', { field: 'command', reason: 'Invalid' });
        if (!this.exec) throw shoalStatusError(Status.FAILED_PRECONDITION, 'MemoryShoalServer: no exec handler set by the test');
        const out = this.exec(req);
        return { stdout: Buffer.from(out.stdout ?? ''), stderr: Buffer.from(out.stderr ?? ''), exit_code: out.exitCode };
      }),
    };
  }

  /** The pod's container named `container`, or its only one. */
  private containerOf(namespace: string, pod: string, container: string): string {
    const obj = this.store.mustGet('Pod', namespace, pod);
    const names = ((obj.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map((c) => c.name);
    if (container) {
      if (!names.includes(container)) throw shoalStatusError(Status.NOT_FOUND, `container ${JSON.stringify(container)} not found in pod ${pod} (containers: ${names.join(', ')})`, { reason: 'NotFound' });
      return container;
    }
    if (names.length !== 1) throw shoalStatusError(Status.INVALID_ARGUMENT, `container: pod ${pod} has ${names.length} containers (${names.join(', ')}); choose one`, { field: 'container', reason: 'Invalid' });
    return names[0]!;
  }

  private adminHandlers(): AdminServiceHandlers {
    const leader = (): W.Member | undefined => this.members.find((m) => m.leader);
    return {
      Members: this.unary<W.EmptyRequest, W.MembersResponse>('Members', () => ({ members: this.members })),
      RaftStatus: this.unary<W.EmptyRequest, W.RaftStatusResponse>('RaftStatus', () => ({
        id: this.id,
        term: 1,
        state: leader()?.id === this.id ? 'leader' : 'follower',
        leader_id: leader()?.id ?? '',
        commit_index: this.store.revision,
        applied_index: this.store.revision,
        last_index: this.store.revision,
        snapshot_index: this.store.compactedThrough,
        revision: this.store.revision,
        progress: [],
        voters: this.members.filter((m) => m.raft_role === 'voter').map((m) => m.id),
        learners: this.members.filter((m) => m.raft_role === 'learner').map((m) => m.id),
      })),
      Leader: this.unary<W.EmptyRequest, W.LeaderResponse>('Leader', () => {
        const l = leader();
        if (!l) throw shoalStatusError(Status.UNAVAILABLE, 'no leader known', { reason: 'Unavailable' });
        return { leader_id: l.id, leader_api_address: l.api_address, term: 1 };
      }),
      TransferLeader: this.unary<W.TransferLeaderRequest, W.LeaderResponse>('TransferLeader', (req) => {
        const target = this.members.find((m) => m.id === req.target_id) ?? this.members.find((m) => !m.leader && m.raft_role === 'voter');
        if (!target || target.raft_role !== 'voter') throw shoalStatusError(Status.FAILED_PRECONDITION, `${req.target_id || 'no member'} is not a voter`, { reason: 'Invalid' });
        for (const m of this.members) m.leader = m === target;
        return { leader_id: target.id, leader_api_address: target.api_address, term: 2 };
      }),
      Snapshot: this.unary<W.EmptyRequest, W.SnapshotResponse>('Snapshot', () => ({ index: this.store.revision, term: 1, size_bytes: 0 })),
      AddNode: this.unary<W.AddNodeRequest, W.MembersResponse>('AddNode', (req) => {
        if (this.members.some((m) => m.id === req.id)) throw shoalStatusError(Status.ALREADY_EXISTS, `node ${req.id} is already a member`, { reason: 'AlreadyExists' });
        this.members.push({ id: req.id, api_address: req.api_address, gossip_address: '', state: 'alive', raft_role: req.voter ? 'voter' : 'learner', leader: false, meta: {}, incarnation: 0 });
        return { members: this.members };
      }),
      RemoveNode: this.unary<W.RemoveNodeRequest, W.MembersResponse>('RemoveNode', (req) => {
        if (!this.members.some((m) => m.id === req.id)) throw shoalStatusError(Status.NOT_FOUND, `node ${req.id} is not a member`, { reason: 'NotFound' });
        this.members = this.members.filter((m) => m.id !== req.id);
        return { members: this.members };
      }),
    };
  }
}

function asStatus(err: unknown): grpc.ServiceError {
  if (err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number') return err as grpc.ServiceError;
  return shoalStatusError(Status.INTERNAL, err instanceof Error ? err.message : String(err), { reason: 'Internal' });
}

function compileFilter(kind: string, labelSelector: string, fieldSelector: string, namespace = ''): (o: KubeObject) => boolean {
  let labels: LabelSelector;
  try {
    labels = parseSelector(labelSelector);
  } catch (err) {
    if (err instanceof SelectorParseError) throw shoalStatusError(Status.INVALID_ARGUMENT, `label_selector: ${err.message}`, { field: 'label_selector', reason: 'Invalid' });
    throw err;
  }
  const fields: FieldRequirement[] = parseFieldSelector(fieldSelector);
  return (o) => o.kind === kind && (!namespace || o.metadata.namespace === namespace) && matchesSelector(labels, o.metadata.labels) && matchesFields(fields, o);
}

/** The event a watcher with `filter` sees for `change`, if any (entering/leaving the filter is ADDED/DELETED). */
function toWireEvent(change: Change, filter: (o: KubeObject) => boolean): W.WatchEvent | undefined {
  const now = filter(change.object);
  const before = change.prev ? filter(change.prev) : false;
  let type: W.WireEventType | undefined;
  let object = change.object;
  if (change.type === 'MODIFIED') {
    if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) {
      type = 'DELETED';
      object = change.object;
    }
  } else if (now) type = change.type;
  if (!type) return undefined;
  return { type, object_json: JSON.stringify(object), revision: change.revision, error_code: 0, error_message: '' };
}
