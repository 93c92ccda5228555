import t from 'tap';
import { suspicionTimeout, suspicionBounds, Suspicion } from '../../src/core/suspicion.js';
import { Awareness } from '../../src/core/awareness.js';
import { BroadcastQueue } from '../../src/core/broadcast-queue.js';
import { ProbeOrder } from '../../src/core/probe-order.js';
import { seededRand, shuffle } from '../../src/core/rand.js';
import { resolveConfig, profiles } from '../../src/core/config.js';
import { GossipConfigError } from '../../src/errors.js';
import type { Update } from '../../src/core/types.js';

t.test('suspicion timeout shrinks from max to min with confirmations', async (t) => {
  t.equal(suspicionTimeout(0, 3, 1000, 6000), 6000, 'no confirmation: max');
  const one = suspicionTimeout(1, 3, 1000, 6000);
  const two = suspicionTimeout(2, 3, 1000, 6000);
  t.ok(one < 6000 && two < one && two > 1000, `shrinks: ${one}, ${two}`);
  t.equal(suspicionTimeout(3, 3, 1000, 6000), 1000, 'k confirmations: min');
  t.equal(suspicionTimeout(0, 0, 1000, 6000), 1000, 'nobody to confirm: min');
  t.same(suspicionBounds(3, 1000, 4, 6), { minMs: 4000, maxMs: 24000 }, 'small clusters scale by 1');
  t.same(suspicionBounds(100, 1000, 4, 6), { minMs: 8000, maxMs: 48000 }, 'log10(100) = 2');
});

t.test('a suspicion counts each confirmer once, never its originator, at most k', async (t) => {
  const s = new Suspicion(0, 1000, 2, 1000, 5000, 'x');
  t.equal(s.deadline, 6000);
  t.notOk(s.confirm('x'), 'originator does not confirm');
  t.ok(s.confirm('y'));
  t.notOk(s.confirm('y'), 'twice is once');
  t.ok(s.confirm('z'));
  t.notOk(s.confirm('w'), 'k reached');
  t.equal(s.confirmed, 2);
  t.equal(s.deadline, 2000, 'min after k confirmations');
});

t.test('awareness scales timeouts and stays in range', async (t) => {
  const a = new Awareness(3);
  t.equal(a.scale(100), 100);
  a.apply(5);
  t.equal(a.health, 2, 'capped at max - 1');
  t.equal(a.scale(100), 300);
  a.apply(-10);
  t.equal(a.health, 0, 'floored at 0');
});

const alive = (node: string, pad = ''): Update => ({ t: 'alive', node, addr: `${node}:1`, inc: 0, meta: pad ? { pad } : {}, mv: 0 });

t.test('broadcast queue: fewest transmissions first, newest first, replace, limit, budget', async (t) => {
  const q = new BroadcastQueue();
  q.push(alive('a'));
  q.push(alive('b'));
  t.same(q.take(10_000, 2).map((u) => u.node), ['b', 'a'], 'newest first among equals');
  q.push(alive('c'));
  t.same(q.take(10_000, 2).map((u) => u.node), ['c', 'a', 'b'], 'fresh news before retransmissions');
  t.same(q.take(10_000, 2).map((u) => u.node), ['c'], 'a and b reached the limit of 2');
  t.equal(q.size, 0);
  q.push(alive('d'));
  q.push({ t: 'suspect', node: 'd', inc: 0, from: 'x' });
  t.same(q.take(10_000, 3), [{ t: 'suspect', node: 'd', inc: 0, from: 'x' }], 'newer fact replaces older');
  q.push(alive('big', 'x'.repeat(500)));
  q.push(alive('small'));
  const picked = q.take(200, 3).map((u) => u.node);
  t.ok(picked.includes('small') && !picked.includes('big'), 'what does not fit waits');
  q.push(alive('low'), 2);
  // big is fresh, small and d went out once already, low was queued as low priority.
  t.same(q.take(10_000, 3).map((u) => u.node), ['big', 'small', 'low', 'd'], 'low priority goes last');
});

t.test('probe order visits everyone once per pass', async (t) => {
  const o = new ProbeOrder(seededRand(3));
  for (const n of ['a', 'b', 'c', 'd']) o.add(n);
  const pass = [o.next(() => true), o.next(() => true), o.next(() => true), o.next(() => true)];
  t.same([...pass].sort(), ['a', 'b', 'c', 'd']);
  o.remove('b');
  const next = [o.next(() => true), o.next(() => true), o.next(() => true)];
  t.same([...next].sort(), ['a', 'c', 'd'], 'removed members leave the rotation');
  t.equal(o.next((n) => n === 'zz'), undefined, 'nobody eligible');
  t.equal(new ProbeOrder(seededRand(1)).next(() => true), undefined, 'empty');
});

t.test('seeded rand is deterministic and in range; shuffle permutes', async (t) => {
  const a = seededRand(9), b = seededRand(9);
  const xs = Array.from({ length: 100 }, () => a.intn(10));
  t.same(xs, Array.from({ length: 100 }, () => b.intn(10)));
  t.ok(xs.every((x) => x >= 0 && x < 10) && new Set(xs).size === 10);
  const arr = [1, 2, 3, 4, 5, 6];
  shuffle(seededRand(1), arr);
  t.same([...arr].sort(), [1, 2, 3, 4, 5, 6]);
});

t.test('profiles are valid; bad overrides are refused', async (t) => {
  for (const p of ['local', 'lan', 'wan'] as const) t.same(resolveConfig(p), profiles[p], `${p} is valid`);
  t.ok(profiles.local.probeIntervalMs < profiles.lan.probeIntervalMs && profiles.lan.probeIntervalMs < profiles.wan.probeIntervalMs);
  t.throws(() => resolveConfig('lan', { probeIntervalMs: 0 }), GossipConfigError);
  t.throws(() => resolveConfig('lan', { probeTimeoutMs: 2000 }), GossipConfigError, 'timeout must be under the interval');
  t.throws(() => resolveConfig('lan', { maxPacketBytes: 100 }), GossipConfigError);
  t.throws(() => resolveConfig('nope' as 'lan'), GossipConfigError);
  t.equal(resolveConfig('lan', { gossipNodes: 5 }).gossipNodes, 5);
});

t.test('member table: picks distinct others at random, removal keeps picks valid', async (t) => {
  const { MemberTable } = await import('../../src/core/member-table.js');
  const table = new MemberTable('self', seededRand(5));
  const info = (name: string) => ({ name, address: `${name}:1`, state: 'alive' as const, incarnation: 0, meta: {}, metaVersion: 0, stateSince: 0 });
  table.add(info('self'));
  for (let i = 0; i < 50; i++) table.add(info(`m${i}`));
  t.equal(table.size, 51);
  const picked = table.pick(3, () => true);
  t.equal(new Set(picked).size, 3, 'distinct');
  t.notOk(picked.includes('self'), 'never itself');
  for (let i = 0; i < 50; i += 2) table.remove(`m${i}`);
  t.equal(table.size, 26);
  for (let r = 0; r < 50; r++) {
    for (const n of table.pick(4, () => true)) t.ok(table.get(n) && Number(n.slice(1)) % 2 === 1, `${n} is still a member`);
  }
  t.same(table.pick(3, (n) => n === 'm7'), ['m7'], 'fewer than k when few qualify');
  t.same(table.pick(2, () => false), []);
});
