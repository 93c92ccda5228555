// With 10% of datagrams lost for 10 simulated minutes and the default (lan)
// settings, members are suspected now and then but always refute in time:
// nobody alive is declared dead.
import t from 'tap';
import { startCluster, countEvents } from './cluster.js';
import { resolveConfig } from '../../src/core/config.js';

for (const seed of [1, 2]) {
  t.test(`10% packet loss, 16 members, 10 minutes (seed ${seed})`, async (t) => {
    const { net, names } = startCluster(16, { config: resolveConfig('lan'), seed, minLatencyMs: 1, maxLatencyMs: 10 });
    net.loss = 0.1;
    const suspects = countEvents(net, 'suspect');
    const deaths = countEvents(net, 'dead');
    const start = net.now;
    net.run(start + 10 * 60_000);
    const suspected = [...suspects.values()].reduce((a, b) => a + b, 0);
    t.comment(`seed ${net.seed}: ${suspected} suspect events seen across all members (each suspicion refuted), ${net.messagesSent} messages`);
    t.same([...deaths.keys()], [], 'no member declared dead');
    for (const name of names) {
      const alive = net.node(name).swim.members().filter((m) => m.state === 'alive').length;
      t.equal(alive, names.length, `${name} ends seeing all ${names.length} alive`);
    }
  });
}
