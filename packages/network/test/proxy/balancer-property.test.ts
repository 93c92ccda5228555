import t from 'tap';
import fc from 'fast-check';
import { Balancer, backendKey, type BackendGroup } from '../../src/proxy/balancer.js';
import { seededRand } from '../../src/proxy/rand.js';

const groups: fc.Arbitrary<BackendGroup[]> = fc.array(
  fc.record({ weight: fc.integer({ min: 0, max: 100 }), size: fc.integer({ min: 0, max: 4 }) }),
  { minLength: 1, maxLength: 4 },
).map((gs) => gs.map((g, i) => ({ weight: g.weight, endpoints: Array.from({ length: g.size }, (_, j) => ({ ip: `10.0.${i}.${j + 1}`, port: 80 })) })));

t.test('each group gets its weight\'s share of picks, among groups that have endpoints', async (t) => {
  fc.assert(fc.property(groups, fc.integer(), (gs, seed) => {
    const bal = new Balancer({ groups: gs }, { rand: seededRand(seed), now: () => 0 });
    const live = gs.filter((g) => g.weight > 0 && g.endpoints.length > 0);
    const total = live.reduce((s, g) => s + g.weight, 0);
    const n = 4000;
    const owner = new Map(gs.flatMap((g, i) => g.endpoints.map((e) => [backendKey(e), i] as const)));
    const got = new Array<number>(gs.length).fill(0);
    for (let k = 0; k < n; k++) {
      const b = bal.pick('c');
      if (live.length === 0) { if (b !== undefined) return false; continue; }
      if (b === undefined) return false;
      got[owner.get(backendKey(b))!]!++;
    }
    if (live.length === 0) return true;
    // Binomial: 5 standard deviations of n picks is under 0.04 of n.
    return gs.every((g, i) => {
      const expected = g.weight > 0 && g.endpoints.length > 0 ? g.weight / total : 0;
      return Math.abs(got[i]! / n - expected) < 0.04;
    });
  }), { numRuns: 100 });
  t.pass();
});

t.test('within a group, round robin never picks one endpoint twice before the others', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer(), (size, seed) => {
    const eps = Array.from({ length: size }, (_, j) => ({ ip: `10.0.0.${j + 1}`, port: 80 }));
    const bal = new Balancer({ groups: [{ weight: 1, endpoints: eps }] }, { rand: seededRand(seed), now: () => 0 });
    const firstRound = new Set(Array.from({ length: size }, () => bal.pick('c')!.ip));
    return firstRound.size === size;
  }));
  t.pass();
});
