/**
 * One client interface over the benchmark targets, on the same stack
 * (@grpc/grpc-js unary calls): Shoal's daemon (ObjectService.Apply), Shoal's
 * Raft-only BenchKv and etcd's KV/Maintenance.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { loadShoalProto } from '@shoal/client';

export interface KvClient {
  put(key: Uint8Array, value: Uint8Array, timeoutMs: number): Promise<void>;
  /** This member's id and the leader's id as the member sees them ('' or '0' when none). */
  status(timeoutMs: number): Promise<{ self: string; leader: string }>;
  /** A linearizable read (Shoal only). */
  get?(key: Uint8Array, timeoutMs: number): Promise<Uint8Array | undefined>;
  close(): void;
}

type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

function call(client: grpc.Client, method: string, req: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
  const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
  return new Promise((resolve, reject) =>
    fn(req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res as Record<string, unknown>))));
}

function load(rel: string): grpc.GrpcObject {
  const path = fileURLToPath(new URL(rel, import.meta.url));
  return grpc.loadPackageDefinition(protoLoader.loadSync(path, { longs: String, defaults: true }));
}

// Each client object gets its own connection (a local subchannel pool), so
// the load generator can spread its clients over several connections.
// Channelz is off: its per-call bookkeeping is load-generator CPU that both
// sides would pay alike.
const channelOptions = { 'grpc.initial_reconnect_backoff_ms': 50, 'grpc.max_reconnect_backoff_ms': 200, 'grpc.use_local_subchannel_pool': 1, 'grpc.enable_channelz': 0 };

export function shoalClient(address: string): KvClient {
  const pkg = load('../../proto/shoal/v1/bench_kv.proto') as unknown as { shoal: { v1: { BenchKv: grpc.ServiceClientConstructor } } };
  const c = new pkg.shoal.v1.BenchKv(address, grpc.credentials.createInsecure(), channelOptions);
  return {
    put: async (key, value, timeoutMs) => {
      await call(c, 'Put', { key, value }, timeoutMs);
    },
    get: async (key, timeoutMs) => {
      const r = await call(c, 'Get', { key }, timeoutMs);
      return r.found ? new Uint8Array(r.value as Buffer) : undefined;
    },
    status: async (timeoutMs) => {
      const r = await call(c, 'Status', {}, timeoutMs);
      return { self: String(r.id), leader: String(r.leader) };
    },
    close: () => c.close(),
  };
}

export function etcdClient(address: string): KvClient {
  const pkg = load('./etcd-kv.proto') as unknown as { etcdserverpb: { KV: grpc.ServiceClientConstructor; Maintenance: grpc.ServiceClientConstructor } };
  const kv = new pkg.etcdserverpb.KV(address, grpc.credentials.createInsecure(), channelOptions);
  const maint = new pkg.etcdserverpb.Maintenance(address, grpc.credentials.createInsecure(), channelOptions);
  return {
    put: async (key, value, timeoutMs) => {
      await call(kv, 'Put', { key, value }, timeoutMs);
    },
    status: async (timeoutMs) => {
      const r = await call(maint, 'Status', {}, timeoutMs);
      const header = r.header as { memberId: string };
      return { self: header.memberId, leader: String(r.leader) };
    },
    close: () => {
      kv.close();
      maint.close();
    },
  };
}

/**
 * Shoal's real write path: `ObjectService.Apply` of a ConfigMap on a `shoald`
 * daemon (create or replace, like etcd's Put). The key is the object's name;
 * the 256 bytes become a 256-character value whose first characters are a
 * counter, so a repeated key is a real change (an Apply that changes nothing
 * writes nothing, which would flatter Shoal).
 */
export function shoaldClient(address: string): KvClient {
  const pkg = loadShoalProto();
  const objects = new pkg.ObjectService(address, grpc.credentials.createInsecure(), channelOptions);
  const admin = new pkg.AdminService(address, grpc.credentials.createInsecure(), channelOptions);
  let n = 0;
  return {
    put: async (key, value, timeoutMs) => {
      const text = Buffer.from(value).toString('base64').slice(0, 256);
      const count = `${(n++).toString(36)}.`;
      const object_json = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${Buffer.from(key).toString('latin1')}","namespace":"default"},"data":{"v":"${count}${text.slice(count.length)}"}}`;
      await call(objects, 'Apply', { object_json }, timeoutMs);
    },
    status: async (timeoutMs) => {
      const r = await call(admin, 'RaftStatus', {}, timeoutMs);
      return { self: String(r.id), leader: String(r.leader_id) };
    },
    close: () => {
      objects.close();
      admin.close();
    },
  };
}

/**
 * A stand-in for every target above on one port of this process: Apply,
 * BenchKv Put and etcd's Put answer at once. The bench drives it before
 * measuring either side, so that the load generator's own code (request
 * building, the gRPC client path, the load loop) is already optimised by V8
 * when the first side runs: otherwise whichever side runs first pays for
 * the load generator's warm-up in its first measured seconds.
 */
export async function standInServer(): Promise<{ address: string; close: () => Promise<void> }> {
  const server = new grpc.Server({ 'grpc.enable_channelz': 0 });
  const shoal = loadShoalProto();
  const kv = load('../../proto/shoal/v1/bench_kv.proto') as unknown as { shoal: { v1: { BenchKv: grpc.ServiceClientConstructor } } };
  const etcd = load('./etcd-kv.proto') as unknown as { etcdserverpb: { KV: grpc.ServiceClientConstructor } };
  type Req = { request: Record<string, unknown> };
  server.addService(shoal.ObjectService.service, {
    Apply: (call: Req, cb: grpc.sendUnaryData<unknown>) => cb(null, { object_json: call.request.object_json, result: 'APPLY_RESULT_CREATED' }),
  });
  server.addService(kv.shoal.v1.BenchKv.service, { Put: (_: Req, cb: grpc.sendUnaryData<unknown>) => cb(null, {}) });
  server.addService(etcd.etcdserverpb.KV.service, { Put: (_: Req, cb: grpc.sendUnaryData<unknown>) => cb(null, { header: {} }) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
