import t from 'tap';
import { SimNetwork, AliveViews } from './sim-network.js';
import { resolveConfig } from '../../src/core/config.js';

t.test('smoke', async (t) => {
  const net = new SimNetwork({ config: resolveConfig('lan'), seed: 1 });
  const names = Array.from({ length: 10 }, (_, i) => `n${i}`);
  const views = new AliveViews(net);
  for (const n of names) net.add(n);
  for (const n of names.slice(1)) net.join(n, ['n0']);
  net.run(60_000, () => views.complete(names));
  t.comment(`converged at ${net.now}`);
  t.ok(views.complete(names));
  net.crash('n3');
  const t0 = net.now;
  let dead = 0;
  net.onEvent((_n, e, now) => { if (e.type === 'dead') { dead++; if (dead === 9) t.comment(`all dead at ${now - t0}`); } });
  net.run(t0 + 60_000);
  t.equal(dead, 9);
});
