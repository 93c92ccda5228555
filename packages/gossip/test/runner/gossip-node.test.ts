// Real sockets on loopback, in one process: three GossipNodes join, see each
// other, spread a metadata change, tell a leave from a crash, and ignore
// another cluster.
import t from 'tap';
import { GossipNode } from '../../src/runner/gossip-node.js';
import type { MemberEvent } from '../../src/core/types.js';
import { JoinFailedError } from '../../src/errors.js';

const started: GossipNode[] = [];
t.teardown(async () => {
  for (const n of started) await n.stop().catch(() => {});
});

async function node(name: string, clusterId = 'test', meta: Record<string, string> = {}): Promise<GossipNode> {
  const n = new GossipNode({ name, bindAddress: '127.0.0.1', bindPort: 0, meta, profile: 'local', clusterId });
  await n.start();
  started.push(n);
  return n;
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stateOf = (n: GossipNode, name: string): string | undefined => n.members().find((m) => m.name === name)?.state;

t.test('three nodes join, spread metadata, and tell leave from crash', async (t) => {
  const a = await node('a', 'test', { role: 'voter' });
  const b = await node('b');
  const c = await node('c');
  const events: MemberEvent[] = [];
  a.on('event', (e) => events.push(e));

  t.equal(await a.join([a.address]), 0, 'the first member has nobody to join but itself');
  t.equal(await b.join([a.address, b.address]), 1, 'b joins through a (its own address is skipped)');
  t.equal(await c.join([a.address, b.address]), 2, 'c joins through a and b: both answer');
  await until('full membership', () => [a, b, c].every((n) => n.members().filter((m) => m.state === 'alive').length === 3));
  t.same(b.members().find((m) => m.name === 'a')?.meta, { role: 'voter' }, 'metadata travels with the join');
  t.ok(events.some((e) => e.type === 'join' && e.member.name === 'b'), 'a saw b join');

  b.updateMeta({ role: 'learner', zone: 'z1' });
  await until('metadata spread', () => a.members().find((m) => m.name === 'b')?.meta['zone'] === 'z1' && c.members().find((m) => m.name === 'b')?.meta['zone'] === 'z1');
  t.ok(events.some((e) => e.type === 'update' && e.member.name === 'b'), 'a got an update event');

  await c.leave();
  await c.stop();
  await until('c seen as left', () => stateOf(a, 'c') === 'left' && stateOf(b, 'c') === 'left');
  t.ok(events.some((e) => e.type === 'leave' && e.member.name === 'c'), 'a got a leave event, not dead');
  t.notOk(events.some((e) => e.type === 'dead' && e.member.name === 'c'), 'no dead event for a graceful leave');

  await b.stop(); // a crash, as far as a can tell
  const t0 = Date.now();
  await until('b seen as dead', () => stateOf(a, 'b') === 'dead', 5000);
  t.comment(`a declared b dead ${Date.now() - t0} ms after b stopped answering`);
  t.ok(events.some((e) => e.type === 'suspect' && e.member.name === 'b'), 'b was suspected first');
});

t.test('a throwing event listener does not stop the protocol', async (t) => {
  const a = await node('l1');
  const b = await node('l2');
  a.on('event', () => { throw new Error('listener bug'); });
  await b.join([a.address]);
  await until('a sees b', () => stateOf(a, 'l2') === 'alive');
  await b.stop();
  await until('a still detects b dead', () => stateOf(a, 'l2') === 'dead');
  t.pass('membership kept working');
});

t.test('messages of another cluster are dropped', async (t) => {
  const a = await node('x1', 'blue');
  const b = await node('x2', 'green');
  await t.rejects(b.join([a.address], { timeoutMs: 500, retryMs: 100 }), JoinFailedError, 'join across clusters fails');
  t.equal(a.members().length, 1, 'a learned nothing');
});

t.test('join retries until a seed answers', async (t) => {
  const a = await node('r1');
  const b = await node('r2');
  const addr = a.address;
  await a.stop();
  const late = new GossipNode({ name: 'r1', bindAddress: '127.0.0.1', bindPort: Number(addr.split(':')[1]), profile: 'local', clusterId: 'test' });
  const joined = b.join([addr], { retryMs: 100, timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 300));
  await late.start();
  started.push(late);
  t.equal(await joined, 1, 'the seed answered once it came up');
});
