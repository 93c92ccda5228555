// The SWIM core driven by hand: one message at a time, time set explicitly.
import t from 'tap';
import { Swim } from '../../src/core/swim.js';
import { resolveConfig, type GossipConfig } from '../../src/core/config.js';
import { seededRand } from '../../src/core/rand.js';
import type { Message, MemberState, Output, PushPullMessage, Update } from '../../src/core/types.js';
import { MetaTooLargeError } from '../../src/errors.js';

const cfg: GossipConfig = resolveConfig('lan', { pushPullIntervalMs: 0 });

function mk(name: string, known: string[] = [], config = cfg): Swim {
  const s = new Swim({ name, address: `${name}:1`, meta: { v: '1' }, config, rand: seededRand(name.length * 31 + name.charCodeAt(0)), now: 0 });
  if (known.length > 0) s.handle(0, 'seed:1', pushPull('seed', known.map((n) => state(n))));
  return s;
}
const state = (node: string, over: Partial<MemberState> = {}): MemberState => ({ node, addr: `${node}:1`, inc: 0, meta: {}, mv: 0, status: 'alive', ...over });
const pushPull = (from: string, members: MemberState[], reply = true): PushPullMessage => ({ t: 'push-pull', from, fromAddr: `${from}:1`, join: false, reply, members });
const gossip = (from: string, up: Update[]): Message => ({ t: 'gossip', from, up });
const sent = (out: Output, t: string): { to: string; msg: Message }[] => out.messages.filter((m) => m.msg.t === t);
const updates = (out: Output): Update[] => out.messages.flatMap((m) => ('up' in m.msg ? m.msg.up : []));
const stateOf = (s: Swim, n: string): string | undefined => s.member(n)?.state;

/** Tick every 10 ms from `from` to `to`, collecting outputs. */
function run(s: Swim, from: number, to: number): Output {
  const all: Output = { messages: [], events: [] };
  for (let now = from; now <= to; now += 10) {
    const o = s.tick(now);
    all.messages.push(...o.messages);
    all.events.push(...o.events);
  }
  return all;
}

t.test('a ping for us is acked to its sender; a ping for someone else is not', async (t) => {
  const a = mk('a');
  const out = a.handle(5, 'b:1', { t: 'ping', seq: 7, target: 'a', from: 'b', fromAddr: 'b:1', up: [] });
  const acks = sent(out, 'ack');
  t.equal(acks.length, 1);
  t.equal(acks[0]!.to, 'b:1');
  t.equal((acks[0]!.msg as { seq: number }).seq, 7);
  t.same(sent(a.handle(6, 'b:1', { t: 'ping', seq: 8, target: 'old-owner', from: 'b', fromAddr: 'b:1', up: [] }), 'ack'), []);
});

t.test('join sends a push-pull over a stream; a push-pull request is answered with our state', async (t) => {
  const a = mk('a');
  const j = a.join(0, ['s1:1', 's2:1']);
  t.same(j.messages.map((m) => [m.to, m.msg.t, m.stream]), [['s1:1', 'push-pull', true], ['s2:1', 'push-pull', true]]);
  t.ok((j.messages[0]!.msg as PushPullMessage).join);
  const out = a.handle(1, 'x:1', pushPull('b', [state('b')], false));
  t.equal(out.events[0]?.type, 'join');
  const reply = out.messages[0]!;
  t.equal(reply.to, 'x:1');
  t.ok(reply.stream && (reply.msg as PushPullMessage).reply);
  t.same((reply.msg as PushPullMessage).members.map((m) => m.node).sort(), ['a', 'b']);
  t.same(a.handle(2, 'x:1', pushPull('b', [state('b')], true)).messages, [], 'a reply is not answered');
});

t.test('a failed probe asks others, then suspects, and raises local health', async (t) => {
  const a = mk('a', ['b', 'c']);
  let pinged: string | undefined;
  let now = 0;
  for (; now < 2000 && !pinged; now += 10) {
    pinged = (sent(a.tick(now), 'ping')[0]?.msg as { target: string } | undefined)?.target;
  }
  t.ok(pinged, 'a probes someone');
  const later = run(a, now, now + 3000);
  const reqs = sent(later, 'ping-req');
  t.ok(reqs.length >= 1, 'indirect probe sent after the probe timeout');
  t.ok(later.events.some((e) => e.type === 'suspect'), 'unanswered probe leads to suspicion');
  t.ok(a.health > 0, 'no nacks came back either: a blames itself a little');
  t.ok(updates(later).some((u) => u.t === 'suspect'), 'the suspicion is gossiped');
});

t.test('an acked probe raises no suspicion', async (t) => {
  const a = mk('a', ['b']);
  for (let now = 0; now < 5000; now += 10) {
    const out = a.tick(now);
    for (const p of sent(out, 'ping')) {
      const m = p.msg as { seq: number };
      a.handle(now, 'b:1', { t: 'ack', seq: m.seq, from: 'b', up: [] });
    }
    t.notOk(out.events.some((e) => e.type === 'suspect'), `no suspicion at ${now}`);
  }
  t.equal(a.health, 0);
});

t.test('a ping-req is relayed: ack forwarded with the original seq, or a nack on timeout', async (t) => {
  const c = mk('c', ['a', 'b']);
  const out = c.handle(0, 'a:1', { t: 'ping-req', seq: 42, target: 'b', targetAddr: 'b:1', from: 'a', fromAddr: 'a:1', up: [] });
  const ping = sent(out, 'ping')[0]!;
  t.equal(ping.to, 'b:1');
  const fwd = c.handle(10, 'b:1', { t: 'ack', seq: (ping.msg as { seq: number }).seq, from: 'b', up: [] });
  t.same(sent(fwd, 'ack').map((m) => [m.to, (m.msg as { seq: number }).seq]), [['a:1', 42]]);
  c.handle(20, 'a:1', { t: 'ping-req', seq: 43, target: 'b', targetAddr: 'b:1', from: 'a', fromAddr: 'a:1', up: [] });
  const later = run(c, 30, 30 + cfg.probeTimeoutMs);
  t.same(sent(later, 'nack').map((m) => [m.to, (m.msg as { seq: number }).seq]), [['a:1', 43]]);
});

t.test('a suspect becomes dead after the suspicion timeout unless it refutes', async (t) => {
  const a = mk('a', ['b', 'c']);
  a.handle(0, 'c:1', gossip('c', [{ t: 'suspect', node: 'b', inc: 0, from: 'c' }]));
  t.equal(stateOf(a, 'b'), 'suspect');
  // n = 3: nobody left to confirm, so the minimum applies: 4 * 1 * 1000 ms.
  t.equal(stateOf(a, 'b'), 'suspect');
  const out = run(a, 0, 4000);
  t.equal(stateOf(a, 'b'), 'dead');
  t.ok(out.events.some((e) => e.type === 'dead' && e.member.name === 'b'));

  const a2 = mk('a', ['b', 'c']);
  a2.handle(0, 'c:1', gossip('c', [{ t: 'suspect', node: 'b', inc: 0, from: 'c' }]));
  const same = a2.handle(1, 'b:1', gossip('b', [{ t: 'alive', node: 'b', addr: 'b:1', inc: 0, meta: {}, mv: 0 }]));
  t.equal(stateOf(a2, 'b'), 'suspect', 'an alive claim at the same incarnation does not refute');
  t.same(same.events, []);
  const refuted = a2.handle(2, 'b:1', gossip('b', [{ t: 'alive', node: 'b', addr: 'b:1', inc: 1, meta: {}, mv: 0 }]));
  t.equal(stateOf(a2, 'b'), 'alive');
  t.equal(refuted.events[0]?.type, 'alive');
  for (let now = 10; now <= 10_000; now += 10) {
    // b and c answer every probe, so only the old suspicion timer could kill b.
    for (const p of sent(a2.tick(now), 'ping')) a2.handle(now, p.to, { t: 'ack', seq: (p.msg as { seq: number }).seq, from: 'x', up: [] });
  }
  t.equal(stateOf(a2, 'b'), 'alive', 'the suspicion timer was cancelled');
});

t.test('confirmations from independent members shorten the suspicion', async (t) => {
  const names = Array.from({ length: 10 }, (_, i) => `n${i}`);
  const time = (confirmers: number): number => {
    const a = mk('a', names);
    a.handle(0, 'n1:1', gossip('n1', [{ t: 'suspect', node: 'n0', inc: 0, from: 'n1' }]));
    for (let i = 0; i < confirmers; i++) a.handle(0, 'x:1', gossip('x', [{ t: 'suspect', node: 'n0', inc: 0, from: `n${i + 2}` }]));
    for (let now = 0; ; now += 100) {
      a.tick(now);
      if (stateOf(a, 'n0') === 'dead') return now;
    }
  };
  const [t0, t1, t2] = [time(0), time(1), time(2)];
  t.comment(`11 members: dead after ${t0} ms with no confirmation, ${t1} with one, ${t2} with two (k = 2)`);
  t.ok(t0 > t1 && t1 > t2, 'each confirmation shortens the timeout');
  t.equal(t2, Math.ceil(4 * Math.log10(11) * 1000 / 100) * 100, 'k confirmations: the minimum');
});

t.test('a member refutes a suspicion of itself with a higher incarnation', async (t) => {
  const a = mk('a', ['b']);
  const out = a.handle(0, 'b:1', gossip('b', [{ t: 'suspect', node: 'a', inc: 0, from: 'b' }]));
  t.equal(a.incarnation, 1);
  t.same(out.events, [], 'no event about ourselves');
  const next = run(a, 0, 1500);
  t.ok(updates(next).some((u) => u.t === 'alive' && u.node === 'a' && u.inc === 1), 'the refutation is gossiped');
  a.handle(2000, 'b:1', gossip('b', [{ t: 'dead', node: 'a', inc: 1, from: 'b' }]));
  t.equal(a.incarnation, 2, 'a death claim is refuted too');
  t.equal(stateOf(a, 'a'), 'alive');
});

t.test('a restarted member outbids what others remember of its previous life', async (t) => {
  const fresh = mk('a');
  fresh.handle(0, 'b:1', pushPull('b', [state('b'), state('a', { inc: 3, status: 'dead' })]));
  t.equal(fresh.incarnation, 4);
  const again = mk('a');
  again.handle(0, 'b:1', pushPull('b', [state('b'), state('a', { inc: 5, status: 'alive', mv: 2 })]));
  t.equal(again.incarnation, 6, 'an alive claim from a previous life is outbid as well');
});

t.test('claims are ordered by incarnation, then metadata version', async (t) => {
  const a = mk('a', ['b']);
  const meta = (inc: number, mv: number, v: string): Update => ({ t: 'alive', node: 'b', addr: 'b:1', inc, meta: { v }, mv });
  t.equal(a.handle(0, 'b:1', gossip('b', [meta(0, 1, 'x')])).events[0]?.type, 'update');
  t.same(a.member('b')?.meta, { v: 'x' });
  t.same(a.handle(0, 'b:1', gossip('b', [meta(0, 0, 'old')])).events, [], 'an older version is ignored');
  t.same(a.member('b')?.meta, { v: 'x' });
  a.handle(0, 'b:1', gossip('b', [meta(1, 0, 'y')]));
  t.same(a.member('b')?.meta, { v: 'y' }, 'a higher incarnation wins whatever its version');
  t.equal(a.member('b')?.incarnation, 1);
});

t.test('the dead come back only with a higher incarnation, and are reaped after a while', async (t) => {
  const config = resolveConfig('lan', { pushPullIntervalMs: 0, deadReapMs: 60_000 });
  const a = mk('a', ['b', 'c'], config);
  a.handle(0, 'c:1', gossip('c', [{ t: 'dead', node: 'b', inc: 0, from: 'c' }]));
  t.equal(stateOf(a, 'b'), 'dead');
  a.handle(1, 'b:1', gossip('b', [{ t: 'alive', node: 'b', addr: 'b:1', inc: 0, meta: {}, mv: 5 }]));
  t.equal(stateOf(a, 'b'), 'dead', 'same incarnation: still dead');
  const back = a.handle(2, 'b:1', gossip('b', [{ t: 'alive', node: 'b', addr: 'b:1', inc: 1, meta: {}, mv: 0 }]));
  t.equal(stateOf(a, 'b'), 'alive');
  t.equal(back.events[0]?.type, 'join');
  a.handle(3, 'c:1', gossip('c', [{ t: 'dead', node: 'b', inc: 1, from: 'c' }]));
  a.tick(59_000);
  t.equal(stateOf(a, 'b'), 'dead', 'remembered before deadReapMs');
  a.tick(61_000);
  t.equal(a.member('b'), undefined, 'forgotten after deadReapMs');
  t.equal(a.members().length, 2);
});

t.test('a graceful leave is told apart from a death', async (t) => {
  const a = mk('a', ['b']);
  const b = mk('b', ['a']);
  const out = b.leave(100);
  t.equal(b.incarnation, 1);
  t.equal(stateOf(b, 'b'), 'left');
  const next = [...out.messages, ...b.tick(100).messages];
  const leaveUpdate = next.flatMap((m) => ('up' in m.msg ? m.msg.up : [])).find((u) => u.node === 'b');
  t.same(leaveUpdate, { t: 'dead', node: 'b', inc: 1, from: 'b' }, 'announced as a death by itself');
  t.ok(b.leaveBroadcast(), 'still has transmissions to make');
  const got = a.handle(101, 'b:1', gossip('b', [leaveUpdate!]));
  t.same(got.events.map((e) => e.type), ['leave']);
  t.equal(stateOf(a, 'b'), 'left');
  b.handle(102, 'a:1', gossip('a', [{ t: 'suspect', node: 'b', inc: 1, from: 'a' }]));
  t.equal(b.incarnation, 1, 'a leaving member does not refute');
  const later = run(b, 110, 5000);
  t.same(sent(later, 'ping'), [], 'a leaving member stops probing');
  t.notOk(b.leaveBroadcast(), 'the announcement went out its allotted times');
});

t.test('metadata changes are gossiped; oversized metadata is refused', async (t) => {
  const a = mk('a', ['b']);
  const out = a.updateMeta(0, { v: '2' });
  t.same(out.events, []);
  const next = run(a, 0, 500);
  t.ok(updates(next).some((u) => u.t === 'alive' && u.node === 'a' && u.mv === 1 && u.meta['v'] === '2'));
  t.throws(() => a.updateMeta(0, { big: 'x'.repeat(600) }), MetaTooLargeError);
  t.throws(() => new Swim({ name: 'z', address: 'z:1', meta: { big: 'x'.repeat(600) }, config: cfg, rand: seededRand(1), now: 0 }), MetaTooLargeError);
});

t.test('datagrams stay under maxPacketBytes however much is queued', async (t) => {
  const names = Array.from({ length: 200 }, (_, i) => `member-${i}`);
  const a = mk('a', []);
  a.handle(0, 'x:1', gossip('x', names.map((n) => ({ t: 'alive', node: n, addr: `${n}:7946`, inc: 0, meta: { role: 'learner', zone: 'eu-west-1a' }, mv: 0 }))));
  const out = run(a, 0, 3000);
  const sizes = out.messages.filter((m) => !m.stream).map((m) => JSON.stringify(m.msg).length);
  t.ok(sizes.length > 10);
  t.ok(Math.max(...sizes) <= cfg.maxPacketBytes - 100, `largest datagram ${Math.max(...sizes)} bytes, budget ${cfg.maxPacketBytes}`);
  t.ok(updates(out).length > 100, 'updates were carried');
});

t.test('members held dead are retried by push-pull every reconnect interval', async (t) => {
  const config = resolveConfig('lan', { pushPullIntervalMs: 0, reconnectIntervalMs: 5000 });
  const a = mk('a', ['b', 'c'], config);
  a.handle(0, 'c:1', gossip('c', [{ t: 'dead', node: 'b', inc: 0, from: 'c' }]));
  a.handle(0, 'c:1', gossip('c', [{ t: 'dead', node: 'c', inc: 0, from: 'c' }]));
  const out = run(a, 0, 10_010);
  const tries = out.messages.filter((m) => m.stream);
  t.ok(tries.length >= 1 && tries.length <= 2, `one try per interval (${tries.length} in 10 s)`);
  t.same(tries.map((m) => m.to), tries.map(() => 'b:1'), 'only the dead member is tried, not the one that left');
  const answer = a.handle(10_020, 'b:1', pushPull('b', [state('b', { inc: 1 }), state('a', { status: 'dead' })]));
  t.equal(stateOf(a, 'b'), 'alive', 'its answer, at a higher incarnation, revives it');
  t.equal(answer.events[0]?.type, 'join');
  t.equal(a.incarnation, 1, 'and a refutes what b held about it');
});
