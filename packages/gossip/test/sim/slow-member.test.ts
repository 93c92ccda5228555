// A member whose message processing lags (every message waits 1.5 s before it is handled,
// three times the lan probe timeout) keeps failing its own probes. Lifeguard's
// local health makes it back off, and its refutations keep it alive: it is not
// declared dead, and its suspicions of healthy members get no one declared dead.
import t from 'tap';
import { startCluster, countEvents } from './cluster.js';
import { resolveConfig } from '../../src/core/config.js';

t.test('a slowed member is not declared dead and gets no one declared dead', async (t) => {
  const { net, names } = startCluster(10, { config: resolveConfig('lan'), seed: 11 });
  const slow = net.node('m3');
  slow.slowMs = 1500;
  const suspicionsBySlow = new Map<string, number>();
  net.onEvent((node, e) => {
    if (node === slow && e.type === 'suspect') suspicionsBySlow.set(e.member.name, (suspicionsBySlow.get(e.member.name) ?? 0) + 1);
  });
  const deaths = countEvents(net, 'dead');
  const suspectedSlow = countEvents(net, 'suspect');
  let maxHealth = 0;
  const start = net.now;
  for (let s = 0; s < 300; s++) {
    net.run(start + s * 1000);
    maxHealth = Math.max(maxHealth, slow.swim.health);
  }
  t.comment(`slow member raised ${[...suspicionsBySlow.values()].reduce((a, b) => a + b, 0)} suspicions, was suspected ${suspectedSlow.get('m3') ?? 0} times; its health score reached ${maxHealth}; incarnation ${slow.swim.incarnation}`);
  t.same([...deaths.keys()], [], 'nobody declared dead in 5 minutes');
  t.ok(maxHealth > 0, 'the slow member noticed it is unhealthy (Lifeguard awareness)');
  for (const name of names) {
    const view = net.node(name).swim.members();
    t.notOk(view.some((m) => m.state === 'dead'), `${name} holds no one dead`);
  }
});

t.test('the same lag without Lifeguard awareness has a cost: compare probe rates', async (t) => {
  // With awareness capped at 1 (no stretching), the slow member probes more often and raises more suspicions.
  const stretched = runSlow(8);
  const flat = runSlow(1);
  t.comment(`suspicions raised by the slow member in 5 min: with awareness ${stretched}, without ${flat}`);
  t.ok(stretched < flat, 'local health awareness cuts the false suspicions a slow member raises');
});

function runSlow(awarenessMaxMultiplier: number): number {
  const { net } = startCluster(10, { config: resolveConfig('lan', { awarenessMaxMultiplier }), seed: 12 });
  const slow = net.node('m3');
  slow.slowMs = 1500;
  let raised = 0;
  net.onEvent((node, e) => { if (node === slow && e.type === 'suspect') raised++; });
  net.run(net.now + 300_000);
  return raised;
}
