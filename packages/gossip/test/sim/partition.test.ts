// A partition longer than the time members gossip to the dead: each half
// declares the other dead. Once it heals, reconnect attempts to dead members
// merge the halves again, with higher incarnations.
import t from 'tap';
import { startCluster } from './cluster.js';
import { resolveConfig } from '../../src/core/config.js';

for (const seed of [3, 4]) {
  t.test(`a healed partition merges again (seed ${seed})`, async (t) => {
    const cfg = resolveConfig('lan');
    const { net, views, names } = startCluster(12, { config: cfg, seed });
    const left = new Set(names.slice(0, 6));
    net.partitioned = (a, b) => left.has(a) !== left.has(b);
    net.run(net.now + 120_000);
    const m0 = net.node('m0').swim;
    t.same(names.filter((n) => !left.has(n)).map((n) => m0.member(n)?.state), Array(6).fill('dead'), 'during the partition m0 holds the other half dead');
    t.same([...left].map((n) => m0.member(n)?.state), Array(6).fill('alive'), 'and its own half alive');

    net.partitioned = undefined;
    const healedAt = net.now;
    net.run(healedAt + 10 * cfg.reconnectIntervalMs, () => views.complete(names));
    t.ok(views.complete(names), 'everyone sees everyone alive again');
    t.comment(`seed ${net.seed}: merged ${net.now - healedAt} ms after the partition healed (reconnect interval ${cfg.reconnectIntervalMs} ms)`);
    t.ok(names.every((n) => net.node(n).swim.incarnation > 0), 'members refuted their deaths with higher incarnations');
  });
}

t.test('without reconnect attempts the halves stay apart (the control)', async (t) => {
  const cfg = resolveConfig('lan', { reconnectIntervalMs: 0 });
  const { net, views, names } = startCluster(12, { config: cfg, seed: 3 });
  const left = new Set(names.slice(0, 6));
  net.partitioned = (a, b) => left.has(a) !== left.has(b);
  net.run(net.now + 120_000);
  net.partitioned = undefined;
  net.run(net.now + 300_000);
  t.notOk(views.complete(names), 'no merge in 5 minutes: reconnect is what heals');
});
