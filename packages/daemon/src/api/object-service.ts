/**
 * ObjectService: create, read, update, delete and watch objects. Writes are
 * validated here first (so a bad request costs no log entry), then proposed;
 * the store validates again when it applies, deterministically. Reads are
 * linearizable through a ReadIndex barrier unless the client asks for stale.
 */
import type * as grpc from '@grpc/grpc-js';
import {
  applyDefaults, assertValid, isKind, KINDS, parseFieldSelector, parseSelector, resolveKind,
  type Kind, type KubeObject, type ObjectKey, type PropagationPolicy,
} from '@shoal/api';
import type { wire } from '@shoal/client';
import { NotFoundError, objectJson, type ApplyResult, type WatchEvent, type WatchOptions } from '@shoal/state';
import { BadRequestError } from './errors.js';
import { serverStream, unary } from './handlers.js';
import type { ApiContext } from './context.js';

/** Objects bigger than this are refused before parsing. */
const MAX_REQUEST_JSON = 1_572_864;
/** A watcher this many bytes behind is cut off and must relist. */
const MAX_WATCH_BACKLOG = 16 * 1024 * 1024;

function parseObject(json: string): KubeObject {
  if (typeof json !== 'string' || json === '') throw new BadRequestError('object_json', 'required');
  if (json.length > MAX_REQUEST_JSON) throw new BadRequestError('object_json', `object is ${json.length} bytes, over the ${MAX_REQUEST_JSON}-byte limit`);
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (err) {
    throw new BadRequestError('object_json', `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequestError('object_json', 'must be a JSON object');
  const o = v as KubeObject;
  if (typeof o.kind !== 'string' || !isKind(o.kind)) {
    throw new BadRequestError('kind', o.kind === undefined ? 'required' : `unsupported kind ${JSON.stringify(o.kind)} (supported: ${Object.keys(KINDS).join(', ')})`);
  }
  if (typeof o.metadata !== 'object' || o.metadata === null) throw new BadRequestError('metadata', 'required');
  if (KINDS[o.kind].namespaced && !o.metadata.namespace) o.metadata.namespace = 'default';
  if (!KINDS[o.kind].namespaced) delete o.metadata.namespace;
  return o;
}

/** Defaults and validation, the same the store will apply; applyDefaults works on a copy, `o` stays as sent. */
function precheck(o: KubeObject): void {
  assertValid(applyDefaults(o));
}

function kindOf(name: string): Kind {
  const k = resolveKind(name);
  if (!k) throw new BadRequestError('kind', `unsupported kind ${JSON.stringify(name)} (supported: ${Object.keys(KINDS).join(', ')})`);
  return k;
}

function keyOf(kind: string, namespace: string, name: string): ObjectKey {
  const k = kindOf(kind);
  if (!name) throw new BadRequestError('name', 'required');
  return { kind: k, namespace: KINDS[k].namespaced ? namespace || 'default' : '', name };
}

function unwrap(r: ApplyResult): KubeObject {
  if (!r.ok) throw r.error;
  return r.object as KubeObject;
}

const out = (o: KubeObject): wire.ObjectResponse => ({ object_json: objectJson(o) });

function filters(kind: string, namespace: string, labelSelector: string, fieldSelector: string): WatchOptions & { kind: Kind } {
  const k = kindOf(kind);
  return {
    kind: k,
    ...(namespace && KINDS[k].namespaced ? { namespace } : {}),
    ...(labelSelector ? { labelSelector: parseSelector(labelSelector) } : {}),
    ...(fieldSelector ? { fieldSelector: parseFieldSelector(fieldSelector) } : {}),
  };
}

export function objectService(ctx: ApiContext): grpc.UntypedServiceImplementation {
  const { store, writer } = ctx;
  const read = async (stale: boolean) => {
    if (!stale) await ctx.readBarrier();
  };

  const create = async (o: KubeObject): Promise<KubeObject> => {
    precheck(o);
    return unwrap(await writer.propose(writer.commandFor({ op: 'create', object: o })));
  };

  return {
    Create: unary(ctx, 'Create', async (req: wire.CreateRequest) => out(await create(parseObject(req.object_json)))),

    Apply: unary(ctx, 'Apply', async (req: wire.ApplyRequest): Promise<wire.ApplyResponse> => {
      const o = parseObject(req.object_json);
      if (!o.metadata.name) throw new BadRequestError('metadata.name', 'required for apply');
      precheck(o);
      // One log entry: the store decides between create and update when it applies it.
      const r = await writer.propose(writer.applyCommand(o));
      const stored = unwrap(r);
      const result: wire.ApplyResult = r.ok && r.applied === 'created'
        ? 'APPLY_RESULT_CREATED'
        : r.ok && r.applied === 'unchanged' ? 'APPLY_RESULT_UNCHANGED' : 'APPLY_RESULT_CONFIGURED';
      return { object_json: objectJson(stored), result };
    }),

    Get: unary(ctx, 'Get', async (req: wire.GetRequest) => {
      const key = keyOf(req.kind, req.namespace, req.name);
      await read(req.stale);
      const o = store.get(key);
      if (!o) throw new NotFoundError(key);
      return out(o);
    }),

    List: unary(ctx, 'List', async (req: wire.ListRequest): Promise<wire.ListResponse> => {
      const f = filters(req.kind, req.namespace, req.label_selector, req.field_selector);
      await read(req.stale);
      const page = store.listPage(f.kind, {
        ...f,
        ...(req.limit ? { limit: Number(req.limit) } : {}),
        ...(req.continue ? { continue: req.continue } : {}),
      });
      return {
        items_json: page.items.map((o) => objectJson(o)),
        revision: page.revision,
        continue: page.continue ?? '',
        remaining_item_count: page.remainingItemCount ?? 0,
      };
    }),

    Update: unary(ctx, 'Update', async (req: wire.UpdateRequest) => {
      const o = parseObject(req.object_json);
      precheck(o);
      return out(unwrap(await writer.propose({ type: 'update', object: o })));
    }),

    UpdateStatus: unary(ctx, 'UpdateStatus', async (req: wire.UpdateRequest) => {
      const o = parseObject(req.object_json);
      return out(unwrap(await writer.propose({ type: 'updateStatus', object: o })));
    }),

    Delete: unary(ctx, 'Delete', async (req: wire.DeleteRequest): Promise<wire.DeleteResponse> => {
      const key = keyOf(req.kind, req.namespace, req.name);
      const policy = req.propagation_policy || undefined;
      if (policy && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
        throw new BadRequestError('propagation_policy', `must be Background, Foreground or Orphan, got ${JSON.stringify(policy)}`);
      }
      const grace = req.grace_period_seconds;
      if (grace !== undefined && grace !== null && (grace < 0 || !Number.isInteger(grace))) {
        throw new BadRequestError('grace_period_seconds', `must be a non-negative integer, got ${grace}`);
      }
      const cmd = writer.commandFor({
        op: 'delete',
        key,
        ...(policy ? { propagationPolicy: policy as PropagationPolicy } : {}),
        ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
        ...(req.precondition_uid ? { uid: req.precondition_uid } : {}),
      });
      if (cmd.type === 'delete' && req.precondition_resource_version) cmd.resourceVersion = req.precondition_resource_version;
      const r = await writer.propose(cmd);
      const last = unwrap(r);
      return { object_json: objectJson(last), pending: r.ok ? r.removed === false : false };
    }),

    Watch: serverStream(ctx, 'Watch', (call: grpc.ServerWritableStream<wire.WatchRequest, wire.WatchEvent>) => watch(ctx, call)),
  };
}

async function watch(ctx: ApiContext, call: grpc.ServerWritableStream<wire.WatchRequest, wire.WatchEvent>): Promise<void> {
  const req = call.request;
  const f = filters(req.kind, req.namespace, req.label_selector, req.field_selector);
  const from = req.resource_version === undefined || req.resource_version === null ? undefined : Number(req.resource_version);
  ctx.metrics.watchers.inc();
  let cancel: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let lastSent = from ?? ctx.store.revision;
      const send = (e: wire.WatchEvent) => {
        if (call.cancelled || call.destroyed) return;
        call.write(e);
        if (call.writableLength > MAX_WATCH_BACKLOG) {
          call.write({ type: 'ERROR', object_json: '', revision: lastSent, error_code: 11, error_message: 'watcher fell too far behind; list again and watch from the list revision' });
          resolve();
        }
      };
      const onEvent = (e: WatchEvent) => {
        if (e.type === 'BOOKMARK') {
          if (req.allow_bookmarks) send({ type: 'BOOKMARK', object_json: '', revision: e.revision, error_code: 0, error_message: '' });
          return;
        }
        if (e.type === 'ERROR') {
          send({ type: 'ERROR', object_json: '', revision: e.revision, error_code: 11, error_message: e.error.message });
          resolve();
          return;
        }
        lastSent = e.revision;
        send({ type: e.type, object_json: objectJson(e.object as KubeObject), revision: e.revision, error_code: 0, error_message: '' });
      };
      try {
        cancel = ctx.store.watch({ ...f, ...(from !== undefined ? { fromRevision: from } : {}) }, onEvent);
      } catch (err) {
        reject(err);
        return;
      }
      if (req.allow_bookmarks) {
        send({ type: 'BOOKMARK', object_json: '', revision: lastSent, error_code: 0, error_message: '' });
        timer = setInterval(() => {
          // Tell an idle watcher how far the store got, so it can resume from there.
          if (ctx.store.revision > lastSent) {
            lastSent = ctx.store.revision;
            send({ type: 'BOOKMARK', object_json: '', revision: lastSent, error_code: 0, error_message: '' });
          }
        }, ctx.bookmarkIntervalMs);
      }
      call.on('cancelled', () => resolve());
      call.on('close', () => resolve());
      call.on('error', () => resolve());
    });
  } finally {
    cancel?.();
    if (timer) clearInterval(timer);
    ctx.metrics.watchers.dec();
  }
}
