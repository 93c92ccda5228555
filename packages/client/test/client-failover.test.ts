import t from 'tap';
import { MemoryObjectStore } from '../src/testing/index.js';
import { OutcomeUnknownError, UnavailableError } from '../src/index.js';
import { clientFor, configMap, deadAddress, startServer } from './helpers.js';

t.test('calls fail over past a server that is down', async (t) => {
  const dead = await deadAddress();
  const live = await startServer(t);
  const client = clientFor(t, [dead, live.address]);
  const created = await client.create(configMap('a'));
  t.equal(created.metadata.name, 'a');
  t.equal(client.pool.preferred, live.address, 'sticks to the server that answered');
  t.equal((await client.list('ConfigMap')).items.length, 1);
});

t.test('killing the node the client uses does not break it', async (t) => {
  const store = new MemoryObjectStore();
  const a = await startServer(t, { store });
  const b = await startServer(t, { store });
  const client = clientFor(t, [a.address, b.address]);
  await client.create(configMap('a'));
  a.stop();
  await client.create(configMap('b'));
  t.same((await client.list('ConfigMap')).items.map((o) => o.metadata.name), ['a', 'b']);
  t.ok(b.calls.some((c) => c.method === 'Create'));
});

t.test('a node that names the leader sends the next attempt there', async (t) => {
  const store = new MemoryObjectStore();
  const follower = await startServer(t, { store });
  const other = await startServer(t, { store });
  const leader = await startServer(t, { store });
  follower.unavailable = { leader: leader.address };
  const client = clientFor(t, [follower.address, other.address, leader.address]);
  await client.create(configMap('a'));
  t.equal(other.calls.length, 0, 'skipped straight to the leader');
  t.equal(leader.calls.filter((c) => c.method === 'Create').length, 1);
});

t.test('every server down: one UnavailableError naming what was tried', async (t) => {
  const d1 = await deadAddress();
  const d2 = await deadAddress();
  const client = clientFor(t, [d1, d2], { timeoutMs: 800 });
  const err = await client.get('ConfigMap', 'a').catch((e: unknown) => e);
  t.type(err, UnavailableError);
  t.match((err as Error).message, new RegExp(`tried .*${d1.replace(/\./g, '\\.')}.*${d2.replace(/\./g, '\\.')}`));
});

t.test('admin calls reach the cluster', async (t) => {
  const server = await startServer(t, {
    id: 'n1',
    members: [
      { id: 'n1', api_address: '', gossip_address: 'g1', state: 'alive', raft_role: 'voter', leader: true, meta: {} },
      { id: 'n2', api_address: '127.0.0.2:7100', gossip_address: 'g2', state: 'alive', raft_role: 'voter', leader: false, meta: {} },
    ],
  });
  const client = clientFor(t, [server.address]);
  t.same((await client.members()).map((m) => m.id), ['n1', 'n2']);
  t.equal((await client.leader()).leader_id, 'n1');
  t.equal((await client.raftStatus()).state, 'leader');
  t.equal((await client.transferLeader('n2')).leader_id, 'n2');
  t.equal((await client.leader()).leader_api_address, '127.0.0.2:7100');
  t.same((await client.addNode({ id: 'n3', peer_address: 'p3', api_address: 'a3', voter: false })).map((m) => m.raft_role), ['voter', 'voter', 'learner']);
  t.same((await client.removeNode('n3')).length, 2);
  t.equal((await client.snapshot()).index, 0);
});

t.test('a write whose connection drops in flight is not sent twice; a read is', async (t) => {
  const store = new MemoryObjectStore();
  const hanging = await startServer(t, { store });
  const other = await startServer(t, { store });
  const client = clientFor(t, [hanging.address, other.address], { timeoutMs: 5000 });
  await client.create(configMap('a'));
  hanging.hang = true;
  const write = client.create(configMap('b')).catch((e: unknown) => e);
  const read = client.get('ConfigMap', 'a').catch((e: unknown) => e);
  // Both calls must have reached the node before it dies.
  const arrived = (): boolean => hanging.calls.some((c) => c.method === 'Create' && (c.request as { object_json: string }).object_json.includes('"b"')) && hanging.calls.some((c) => c.method === 'Get');
  for (let i = 0; i < 1000 && !arrived(); i++) await new Promise((r) => setTimeout(r, 5));
  t.ok(arrived(), 'both calls are in flight');
  hanging.stop(); // the node dies with both calls in flight
  const err = await write;
  t.type(err, OutcomeUnknownError);
  t.match((err as Error).message, /may or may not have been applied/);
  t.equal(other.calls.filter((c) => c.method === 'Create').length, 0, 'the write was not retried elsewhere');
  const got = await read;
  t.equal((got as { metadata: { name: string } }).metadata.name, 'a', 'the read failed over');
});

t.test('a server timing out on the commit gives TimeoutError, not a retry', async (t) => {
  const { shoalStatusError } = await import('../src/index.js');
  const { status } = await import('@grpc/grpc-js');
  const { fromGrpcError, neverApplied, TimeoutError } = await import('../src/index.js');
  const timedOut = shoalStatusError(status.UNAVAILABLE, 'commit timed out; the write may still take effect', { reason: 'Timeout' });
  t.type(fromGrpcError(timedOut), TimeoutError);
  t.equal(neverApplied(timedOut), false);
  t.equal(neverApplied(shoalStatusError(status.UNAVAILABLE, 'not the leader', { reason: 'NotLeader', leader: 'x:1' })), true);
  t.equal(neverApplied(Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: status.UNAVAILABLE, details: 'Connection dropped', metadata: undefined })), false);
});

t.test('a node that accepts TCP but never answers (paused) is skipped before a write is sent', async (t) => {
  const { createServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((s) => { sockets.add(s); }); // like a SIGSTOPped daemon: the kernel accepts, nobody speaks
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => { for (const s of sockets) s.destroy(); silent.close(); });
  const port = (silent.address() as import('node:net').AddressInfo).port;
  const live = await startServer(t);
  const client = clientFor(t, [`127.0.0.1:${port}`, live.address], { timeoutMs: 5000, connectTimeoutMs: 300 });
  const created = await client.create(configMap('x'));
  t.equal(created.metadata.name, 'x', 'the write went to the live node');
  t.equal(live.calls.filter((c) => c.method === 'Create').length, 1);
  t.ok(sockets.size >= 1, 'the silent node was tried');
});

t.test('when no node can serve for a moment (an election), the call waits and retries within its budget', async (t) => {
  const store = new MemoryObjectStore();
  const a = await startServer(t, { store });
  const b = await startServer(t, { store });
  a.unavailable = {};
  b.unavailable = {};
  const client = clientFor(t, [a.address, b.address], { timeoutMs: 5000 });
  setTimeout(() => { b.unavailable = undefined; }, 400); // a leader is elected
  const created = await client.create(configMap('after-election'));
  t.equal(created.metadata.name, 'after-election');
  t.ok(a.calls.length + b.calls.length > 2, 'several rounds were needed');
});

t.test('a watch opens on a node that accepts the connection, not on a paused one', async (t) => {
  const { createServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((s) => { sockets.add(s); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => { for (const s of sockets) s.destroy(); silent.close(); });
  const port = (silent.address() as import('node:net').AddressInfo).port;
  const live = await startServer(t);
  const client = clientFor(t, [`127.0.0.1:${port}`, live.address], { timeoutMs: 5000, connectTimeoutMs: 300 });
  const watch = client.watch('ConfigMap', { resourceVersion: 0 });
  const first = watch.next();
  for (let i = 0; i < 1000 && !live.calls.some((c) => c.method === 'Watch'); i++) await new Promise((r) => setTimeout(r, 5));
  t.ok(live.calls.some((c) => c.method === 'Watch'), 'the watch went to the live node (not stuck connecting to the paused one)');
  live.store.create(configMap('seen'));
  const ev = await first;
  await watch.return();
  t.equal(ev.value?.object?.metadata.name, 'seen');
});
