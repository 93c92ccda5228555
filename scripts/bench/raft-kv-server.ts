/**
 * One Shoal Raft node as a process: RaftNode + LevelLogStore + GrpcTransport
 * and the BenchKv gRPC service, all on one gRPC server. Used by the Raft
 * benchmark and the end-to-end test.
 *
 *   node --conditions=@shoal/source --import tsx scripts/bench/raft-kv-server.ts \
 *     --id n1 --port 7001 --data /tmp/n1 --peers n1=127.0.0.1:7001,n2=...,n3=...
 *
 * Prints `ready <port>` on stdout once serving.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createJsonLogger, isLogLevel } from '@shoal/log';
import { LeaderChangedError, NoLeaderError, NotLeaderError, RaftNode, RaftTimeoutError } from '@shoal/raft';
import { LevelLogStore } from '@shoal/storage';
import { GrpcTransport } from '@shoal/transport';
import { KvStateMachine, encodePut } from './kv-state-machine.js';

const { values: args } = parseArgs({
  options: {
    id: { type: 'string' },
    port: { type: 'string' },
    data: { type: 'string' },
    peers: { type: 'string' },
    'cluster-id': { type: 'string', default: 'bench' },
    'tick-ms': { type: 'string', default: '25' },
    'heartbeat-ms': { type: 'string', default: '50' },
    'election-ms': { type: 'string', default: '250' },
    'snapshot-entries': { type: 'string', default: '10000' },
    // RaftNode's snapshotLogRatio (0: every snapshot-entries entries, whatever the state's size).
    'snapshot-log-ratio': { type: 'string', default: '1' },
    'log-level': { type: 'string', default: 'warn' },
    stats: { type: 'boolean', default: false },
  },
});

if (!args.id || !args.port || !args.data || !args.peers) {
  process.stderr.write('usage: raft-kv-server --id ID --port PORT --data DIR --peers id=host:port,...\n');
  process.exit(2);
}
const level = isLogLevel(args['log-level']) ? args['log-level'] : 'warn';
const logger = createJsonLogger({ level, fd: 2, base: { node: args.id } });
const peers = new Map(args.peers.split(',').map((p) => p.split('=') as [string, string]));

const server = new grpc.Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024, 'grpc.enable_channelz': 0 });
(server as unknown as { commonServerOptions: { noDelay?: boolean } }).commonServerOptions.noDelay = true;
const transport = new GrpcTransport({ id: args.id, clusterId: args['cluster-id']!, logger });
transport.register(server);
for (const [id, address] of peers) transport.addPeer(id, address);

const sm = new KvStateMachine();
const node = new RaftNode({
  id: args.id,
  peers: [...peers.keys()],
  logStore: new LevelLogStore(args.data),
  transport,
  stateMachine: sm,
  logger,
  tickMs: Number(args['tick-ms']),
  heartbeatMs: Number(args['heartbeat-ms']),
  electionMs: Number(args['election-ms']),
  snapshotEntries: Number(args['snapshot-entries']),
  snapshotLogRatio: Number(args['snapshot-log-ratio']),
});

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof NotLeaderError) return { code: grpc.status.UNAVAILABLE, details: `not leader; leader ${err.leader}` };
  if (err instanceof NoLeaderError) return { code: grpc.status.UNAVAILABLE, details: 'no leader' };
  if (err instanceof LeaderChangedError) return { code: grpc.status.UNAVAILABLE, details: err.message };
  if (err instanceof RaftTimeoutError) return { code: grpc.status.DEADLINE_EXCEEDED, details: err.message };
  return { code: grpc.status.INTERNAL, details: String(err) };
}

interface PutReq { key: Buffer; value: Buffer }
interface GetReq { key: Buffer; serializable: boolean }

const protoPath = fileURLToPath(new URL('../../proto/shoal/v1/bench_kv.proto', import.meta.url));
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { longs: Number, defaults: true })) as unknown as {
  shoal: { v1: { BenchKv: grpc.ServiceClientConstructor } };
};
server.addService(pkg.shoal.v1.BenchKv.service, {
  Put: (call: grpc.ServerUnaryCall<PutReq, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    node.propose(encodePut(call.request.key, call.request.value)).then(
      (r) => cb(null, { index: r.index }),
      (err: unknown) => cb(toStatus(err)),
    );
  },
  Get: (call: grpc.ServerUnaryCall<GetReq, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    const read = call.request.serializable ? Promise.resolve() : node.readBarrier();
    read.then(
      () => {
        const v = sm.get(call.request.key);
        cb(null, { found: v !== undefined, value: v ?? Buffer.alloc(0) });
      },
      (err: unknown) => cb(toStatus(err)),
    );
  },
  Status: (_call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    const s = node.status();
    cb(null, { id: s.id, leader: s.leader, term: s.term, commit: s.commit, applied: s.applied, role: s.role });
  },
});

const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync(`127.0.0.1:${args.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
await node.start();
process.stdout.write(`ready ${port}\n`);
if (args.stats) {
  // Once a second: what the driver did, and the event loop's worst delay
  // in that second (stalls delay ticks and heartbeats), for diagnosis.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  setInterval(() => {
    const cpu = process.cpuUsage();
    const line = {
      ...node.metrics(), cpuMs: Math.round((cpu.user + cpu.system) / 1000), loopDelayMaxMs: Math.round(delay.max / 1e6),
      role: node.status().role, progress: node.status().progress,
    };
    delay.reset();
    process.stdout.write(`stats ${JSON.stringify(line)}\n`);
  }, 1000).unref();
}

async function shutdown(): Promise<void> {
  await node.stop();
  server.forceShutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
