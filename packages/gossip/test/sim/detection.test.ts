// Time from a crash to the first member declaring the crashed one dead, and to
// all of them holding it dead, in 3- and 50-member clusters, per profile.
// The local profile must detect within 2 s in a 3-member cluster.
import t from 'tap';
import { startCluster } from './cluster.js';
import { resolveConfig, type GossipProfile } from '../../src/core/config.js';

interface Detection { first: number; all: number }

function detect(profile: GossipProfile, n: number, seed: number): Detection {
  const { net, names } = startCluster(n, { config: resolveConfig(profile), seed });
  // Crash at a random phase of the probe cycle.
  net.run(net.now + 5000 + (seed * 317) % 1000);
  const victim = names[n - 1]!;
  const crashedAt = net.now;
  net.crash(victim);
  let first = Infinity;
  let count = 0;
  net.onEvent((_node, e, now) => {
    if (e.type === 'dead' && e.member.name === victim) {
      first = Math.min(first, now - crashedAt);
      count++;
    }
  });
  net.run(crashedAt + 120_000, () => count === n - 1);
  return { first, all: count === n - 1 ? net.now - crashedAt : Infinity };
}

const stats = (xs: number[]): string => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  return `mean ${mean} ms, median ${sorted[sorted.length >> 1]} ms, max ${sorted[sorted.length - 1]} ms`;
};

for (const profile of ['local', 'lan'] as const) {
  for (const n of [3, 50]) {
    t.test(`${profile}: crashed member of ${n} detected`, async (t) => {
      const runs = n === 3 ? 20 : 5;
      const results: Detection[] = [];
      for (let seed = 1; seed <= runs; seed++) results.push(detect(profile, n, seed));
      t.ok(results.every((r) => Number.isFinite(r.all)), 'every member marked it dead in every run');
      t.comment(`${profile}, ${n} members, ${runs} runs: first detection ${stats(results.map((r) => r.first))}; all members ${stats(results.map((r) => r.all))}`);
      if (profile === 'local' && n === 3) {
        const worst = Math.max(...results.map((r) => r.all));
        t.ok(worst < 2000, `local profile, 3 members: all detect within 2 s (worst ${worst} ms)`);
      }
    });
  }
}
