import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { MemoryLogger } from '@shoal/log';
import { EntryType, MessageType, type Message } from '@shoal/raft';
import { GrpcTransport, type GrpcTransportOptions } from '../src/index.js';

interface Node {
  transport: GrpcTransport;
  server: grpc.Server;
  port: number;
  got: Message[];
}

async function startNode(t: Tap.Test, opts: GrpcTransportOptions, port = 0): Promise<Node> {
  const transport = new GrpcTransport(opts);
  const server = new grpc.Server();
  transport.register(server);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const got: Message[] = [];
  transport.onMessage((m) => got.push(m));
  const node = { transport, server, port: bound, got };
  t.teardown(() => stopNode(node));
  return node;
}

async function stopNode(n: Node): Promise<void> {
  await n.transport.close();
  n.server.forceShutdown();
}

function msg(from: string, to: string, type: MessageType, extra: Partial<Message> = {}): Message {
  return { type, from, to, term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, ...extra };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const base = { clusterId: 'c1', backoffInitialMs: 20, backoffMaxMs: 200 };

t.test('messages arrive in order over one stream', async (t) => {
  const a = await startNode(t, { ...base, id: 'a' });
  const b = await startNode(t, { ...base, id: 'b' });
  a.transport.addPeer('b', `127.0.0.1:${b.port}`);
  const batch: Message[] = [];
  for (let i = 1; i <= 500; i++) {
    batch.push(msg('a', 'b', MessageType.App, { index: i, entries: [{ term: 1, index: i + 1, type: EntryType.Normal, data: new Uint8Array(256).fill(i % 256) }] }));
  }
  a.transport.send(batch);
  await until(() => b.got.length === 500, '500 messages');
  t.same(b.got.map((m) => m.index), batch.map((m) => m.index));
  t.same(b.got[7]!.entries[0]!.data, batch[7]!.entries[0]!.data);
  t.equal(a.got.filter((m) => m.type === MessageType.Unreachable).length, 0, 'nothing reported unreachable');
});

t.test('frames from another cluster are refused and logged', async (t) => {
  const logger = new MemoryLogger();
  const a = await startNode(t, { ...base, id: 'a', clusterId: 'other' });
  const b = await startNode(t, { ...base, id: 'b', logger });
  a.transport.addPeer('b', `127.0.0.1:${b.port}`);
  a.transport.send([msg('a', 'b', MessageType.Heartbeat)]);
  await until(() => a.got.some((m) => m.type === MessageType.Unreachable && m.from === 'b'), 'unreachable report');
  t.equal(b.got.length, 0, 'nothing delivered');
  t.ok(logger.records.some((r) => r.level === 'warn' && /cluster other/.test(r.msg)), 'refusal logged');
});

t.test('the sender reconnects after the peer restarts', async (t) => {
  const a = await startNode(t, { ...base, id: 'a' });
  const b1 = await startNode(t, { ...base, id: 'b' });
  const port = b1.port;
  a.transport.addPeer('b', `127.0.0.1:${port}`);
  a.transport.send([msg('a', 'b', MessageType.Heartbeat, { commit: 1 })]);
  await until(() => b1.got.length === 1, 'first message');
  await stopNode(b1);
  a.transport.send([msg('a', 'b', MessageType.Heartbeat, { commit: 2 })]);
  await until(() => a.got.some((m) => m.type === MessageType.Unreachable), 'unreachable while down');
  const b2 = await startNode(t, { ...base, id: 'b' }, port);
  // Raft keeps sending heartbeats; the transport must get them through again.
  await until(() => {
    a.transport.send([msg('a', 'b', MessageType.Heartbeat, { commit: 3 })]);
    return b2.got.some((m) => m.commit === 3);
  }, 'delivery after restart');
  t.pass('delivered after restart');
});

t.test('oversized messages are refused on both sides', async (t) => {
  const a = await startNode(t, { ...base, id: 'a', maxMessageBytes: 1024 });
  const b = await startNode(t, { ...base, id: 'b', maxMessageBytes: 1024 });
  a.transport.addPeer('b', `127.0.0.1:${b.port}`);
  const big = msg('a', 'b', MessageType.App, { entries: [{ term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array(4096) }] });
  a.transport.send([big, msg('a', 'b', MessageType.Heartbeat, { commit: 9 })]);
  await until(() => b.got.length === 1, 'the small message');
  t.equal(b.got[0]!.commit, 9, 'only the small message arrives');
  t.ok(a.got.some((m) => m.type === MessageType.Unreachable && m.from === 'b'), 'sender reports the drop');

  const c = await startNode(t, { ...base, id: 'c' });
  c.transport.addPeer('b', `127.0.0.1:${b.port}`);
  c.transport.send([{ ...big, from: 'c' }, msg('c', 'b', MessageType.Heartbeat, { commit: 10 })]);
  await until(() => b.got.length === 2, 'second small message');
  t.equal(b.got[1]!.commit, 10, 'the receiver refuses what its limit forbids');
});

t.test('snapshots travel in chunks and are acknowledged', async (t) => {
  const a = await startNode(t, { ...base, id: 'a', snapshotChunkBytes: 64 * 1024 });
  const b = await startNode(t, { ...base, id: 'b', maxMessageBytes: 256 * 1024 });
  a.transport.addPeer('b', `127.0.0.1:${b.port}`);
  const data = new Uint8Array(3 * 1024 * 1024 + 17);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  const snap = { metadata: { index: 100, term: 3, conf: { voters: ['a', 'b'], learners: [] } }, data };
  a.transport.send([msg('a', 'b', MessageType.Snap, { snapshot: snap })]);
  await until(() => b.got.length === 1, 'snapshot', 10000);
  const got = b.got[0]!;
  t.equal(got.type, MessageType.Snap);
  t.same(got.snapshot!.metadata, snap.metadata);
  t.equal(got.snapshot!.data.length, data.length);
  t.ok(Buffer.from(got.snapshot!.data).equals(Buffer.from(data)), 'data intact');
  await until(() => a.got.some((m) => m.type === MessageType.SnapStatus), 'snapshot status');
  const status = a.got.find((m) => m.type === MessageType.SnapStatus)!;
  t.equal(status.reject, false, 'reported as delivered');
});

t.test('a message to an unknown peer is reported unreachable', async (t) => {
  const a = await startNode(t, { ...base, id: 'a' });
  a.transport.send([msg('a', 'zz', MessageType.Snap, { snapshot: { metadata: { index: 1, term: 1, conf: { voters: [], learners: [] } }, data: new Uint8Array(1) } })]);
  await until(() => a.got.length === 2, 'reports');
  t.same(a.got.map((m) => [m.type, m.from, m.reject]).sort(), [[MessageType.SnapStatus, 'zz', true], [MessageType.Unreachable, 'zz', false]].sort());
});

t.test('invalid options are refused with the field', async (t) => {
  t.throws(() => new GrpcTransport({ id: 'a', clusterId: '' }), { name: 'TransportConfigError', field: 'clusterId' });
  t.throws(() => new GrpcTransport({ id: 'a', clusterId: 'c', queueLimit: 0 }), { field: 'queueLimit' });
});
