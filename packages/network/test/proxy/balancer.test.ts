import t from 'tap';
import { Balancer, backendKey, type Backend } from '../../src/proxy/balancer.js';
import { seededRand } from '../../src/proxy/rand.js';

const b = (n: number): Backend => ({ ip: `10.210.1.${n}`, port: 8080 });
const deps = (seed = 1) => {
  let clock = 0;
  return { rand: seededRand(seed), now: () => clock, advance: (ms: number) => { clock += ms; } };
};

function count(bal: Balancer, n: number, client = (i: number) => `10.0.0.${i % 250}`): Map<string, number> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = backendKey(bal.pick(client(i))!);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return seen;
}

t.test('one group is plain round robin', async (t) => {
  const bal = new Balancer({ groups: [{ weight: 1, endpoints: [b(1), b(2), b(3)] }] }, deps());
  t.same([0, 1, 2, 3, 4, 5].map(() => bal.pick('c')!.ip), ['10.210.1.1', '10.210.1.2', '10.210.1.3', '10.210.1.1', '10.210.1.2', '10.210.1.3']);
});

t.test('no endpoints, zero weights: nothing to pick', async (t) => {
  t.equal(new Balancer({ groups: [] }, deps()).pick('c'), undefined);
  t.equal(new Balancer({ groups: [{ weight: 1, endpoints: [] }] }, deps()).pick('c'), undefined);
  t.equal(new Balancer({ groups: [{ weight: 0, endpoints: [b(1)] }] }, deps()).pick('c'), undefined);
  t.throws(() => new Balancer({ groups: [{ weight: -1, endpoints: [b(1)] }] }, deps()), { name: 'BalancerConfigError' });
});

t.test('weighted groups are honoured within tolerance over many picks', async (t) => {
  const bal = new Balancer({ groups: [
    { weight: 90, endpoints: [b(1), b(2)] },
    { weight: 10, endpoints: [b(9)] },
  ] }, deps(7));
  const n = 20_000;
  const seen = count(bal, n);
  const canary = seen.get('10.210.1.9:8080') ?? 0;
  t.ok(Math.abs(canary / n - 0.1) < 0.01, `canary share ${canary / n}`);
  // Inside the stable group, round robin splits evenly.
  t.ok(Math.abs((seen.get('10.210.1.1:8080') ?? 0) - (seen.get('10.210.1.2:8080') ?? 0)) <= 1);
});

t.test('the same seed gives the same sequence; another seed another one', async (t) => {
  const cfg = { groups: [{ weight: 1, endpoints: [b(1), b(2)] }, { weight: 3, endpoints: [b(3)] }] };
  const seq = (seed: number) => { const x = new Balancer(cfg, deps(seed)); return Array.from({ length: 50 }, () => x.pick('c')!.ip).join(); };
  t.equal(seq(42), seq(42));
  t.not(seq(42), seq(43));
});

t.test('skipped endpoints are passed over; an exhausted group gives its share away', async (t) => {
  const bal = new Balancer({ groups: [{ weight: 50, endpoints: [b(1), b(2)] }, { weight: 50, endpoints: [b(3)] }] }, deps(3));
  const skip = new Set([backendKey(b(3)), backendKey(b(1))]);
  for (let i = 0; i < 20; i++) t.equal(bal.pick('c', skip)!.ip, '10.210.1.2');
  t.equal(bal.pick('c', new Set([b(1), b(2), b(3)].map(backendKey))), undefined);
});

t.test('ClientIP affinity sticks until the timeout since the last connection', async (t) => {
  const d = deps();
  const bal = new Balancer({ groups: [{ weight: 1, endpoints: [b(1), b(2), b(3)] }], affinity: { timeoutSeconds: 10 } }, d);
  const first = bal.pick('10.0.0.1')!;
  const other = bal.pick('10.0.0.2')!;
  t.not(first.ip, other.ip);
  for (let i = 0; i < 5; i++) { d.advance(9_000); t.equal(bal.pick('10.0.0.1')!.ip, first.ip, 'refreshed on each use'); }
  d.advance(10_001);
  const after = bal.pick('10.0.0.1')!;
  t.not(after.ip, first.ip, 'expired: round robin moves on');
  // A refused sticky endpoint is skipped and the client re-stuck elsewhere.
  const moved = bal.pick('10.0.0.1', new Set([backendKey(after)]))!;
  t.not(moved.ip, after.ip);
  t.equal(bal.pick('10.0.0.1')!.ip, moved.ip);
});

t.test('updates keep survivors, drop removed endpoints and their affinities', async (t) => {
  const d = deps();
  const bal = new Balancer({ groups: [{ weight: 1, endpoints: [b(1), b(2), b(3)] }], affinity: { timeoutSeconds: 100 } }, d);
  const stuck = bal.pick('client')!;
  bal.update({ groups: [{ weight: 1, endpoints: [b(1), b(2), b(3)].filter((x) => x.ip !== stuck.ip) }], affinity: { timeoutSeconds: 100 } });
  t.equal(bal.size, 2);
  const seen = count(bal, 300);
  t.notOk(seen.has(backendKey(stuck)), 'removed endpoint gets no more traffic');
  t.equal(seen.size, 2);
  bal.update({ groups: [{ weight: 1, endpoints: [b(4)] }] });
  t.equal(bal.pick('client')!.ip, '10.210.1.4');
});

t.test('many clients: expired affinities are swept', async (t) => {
  const d = deps();
  const bal = new Balancer({ groups: [{ weight: 1, endpoints: [b(1), b(2)] }], affinity: { timeoutSeconds: 1 } }, d);
  for (let i = 0; i < 5000; i++) bal.pick(`c${i}`);
  d.advance(2000);
  bal.pick('late');
  t.ok((bal as unknown as { sticky: Map<string, unknown> }).sticky.size <= 2, 'old entries gone');
});
