// How fast membership converges, in gossip rounds (lan: 200 ms each):
// - a new member joining a converged n-member cluster is known to all in
//   O(log n) rounds, and so is one metadata change: the figures are printed;
// - a whole cluster joining through one seed at once converges too, but that
//   is bandwidth-bound (n joins to spread, a few per datagram); each joiner's
//   early push-pull repairs what gossip missed. Figures printed, loose bound.
import t from 'tap';
import { SimNetwork, AliveViews } from './sim-network.js';
import { resolveConfig } from '../../src/core/config.js';

// About 10 s of CPU; on a shared, busy machine the wall time can pass tap's
// default 120 s, so allow more.
t.setTimeout(360_000);

const cfg = resolveConfig('lan');
const rounds = (ms: number): number => Math.ceil(ms / cfg.gossipIntervalMs);

/** n members that all joined through m0 and, for the setup, swapped full state with it once more. */
function convergedCluster(n: number, seed: number): { net: SimNetwork; views: AliveViews; names: string[] } {
  const net = new SimNetwork({ config: cfg, seed });
  const views = new AliveViews(net);
  const names = Array.from({ length: n }, (_, i) => `m${i}`);
  for (const name of names) net.add(name, { role: 'none' });
  for (const name of names.slice(1)) net.join(name, ['m0']);
  net.run(net.now + 50);
  for (const name of names.slice(1)) net.join(name, ['m0']);
  net.run(net.now + 10_000, () => views.complete(names));
  return { net, views, names };
}

interface Figures { n: number; joinRounds: number; updateRounds: number }

function measure(t: Tap.Test, n: number, seed: number): Figures {
  const { net, views, names } = convergedCluster(n, seed);
  t.ok(views.complete(names), `setup: ${n} members see each other`);

  // A newcomer joins through one random member.
  const start = net.now;
  net.add('newcomer', { role: 'none' });
  net.join('newcomer', [`m${n >> 1}`]);
  const all = [...names, 'newcomer'];
  net.run(start + 120_000, () => views.complete(all));
  t.ok(views.complete(all), `newcomer known to all ${n} and knows them all`);
  const joinRounds = rounds(net.now - start);

  // One member changes its metadata.
  let seen = 0;
  net.onEvent((_node, e) => { if (e.type === 'update' && e.member.name === 'm1' && e.member.meta['role'] === 'voter') seen++; });
  const m1 = net.node('m1');
  const changedAt = net.now;
  const out = m1.swim.updateMeta(changedAt, { role: 'voter' });
  t.equal(out.events.length, 0, 'a member raises no event about itself');
  net.run(changedAt + 120_000, () => seen === n);
  t.equal(seen, n, `metadata change of m1 reached the ${n} others`);
  return { n, joinRounds, updateRounds: rounds(net.now - changedAt) };
}

t.test('a join and an update reach everyone in O(log n) rounds', async (t) => {
  const figures: Figures[] = [];
  for (const n of [50, 200, 1000]) {
    const f = measure(t, n, 7 + n);
    figures.push(f);
    t.comment(`n=${n}: newcomer fully known in ${f.joinRounds} rounds, metadata change in ${f.updateRounds} rounds (log2 n = ${Math.log2(n).toFixed(1)})`);
  }
  for (const f of figures) {
    // SWIM: an update is infected to all members in about log(n) rounds;
    // the constant leaves room for loss of the race against other updates.
    t.ok(f.joinRounds <= 3 * Math.log2(f.n), `n=${f.n}: join ${f.joinRounds} <= 3 log2(n)`);
    t.ok(f.updateRounds <= 3 * Math.log2(f.n), `n=${f.n}: update ${f.updateRounds} <= 3 log2(n)`);
  }
  const small = figures[0]!, big = figures[figures.length - 1]!;
  // 20x the members must cost far less than 20x the rounds.
  t.ok(big.updateRounds <= small.updateRounds * 3, `update rounds ${small.updateRounds} -> ${big.updateRounds} for 20x the members`);
  t.ok(big.joinRounds <= small.joinRounds * 3, `join rounds ${small.joinRounds} -> ${big.joinRounds} for 20x the members`);
});

t.test('a whole cluster joining through one seed at once converges', async (t) => {
  for (const n of [20, 100, 200]) {
    const net = new SimNetwork({ config: cfg, seed: 99 + n });
    const views = new AliveViews(net);
    const names = Array.from({ length: n }, (_, i) => `m${i}`);
    for (const name of names) net.add(name);
    for (const name of names.slice(1)) net.join(name, ['m0']);
    const start = net.now;
    net.run(start + 300_000, () => views.complete(names));
    t.ok(views.complete(names), `${n} members converged`);
    // Each joiner's early anti-entropy exchange closes the gaps gossip left.
    t.ok(rounds(net.now - start) <= 10 * Math.log2(n), `n=${n}: within 10 log2(n) rounds`);
    t.comment(`n=${n}: simultaneous join through one seed converged in ${rounds(net.now - start)} rounds (${net.now - start} ms), ${net.messagesSent} messages`);
  }
});
