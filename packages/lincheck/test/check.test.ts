import t from 'tap';
import { checkHistory, parseHistory, formatHistory, HistoryFormatError, type Operation } from '@shoal/lincheck';

function op(o: Partial<Operation> & Pick<Operation, 'op' | 'start' | 'end'>): Operation {
  return { client: 'c', key: 'k', outcome: 'ok', ...o };
}

t.test('sequential put then get is linearizable', async (t) => {
  const h = [
    op({ op: 'put', value: 'a', start: 0, end: 1, result: { version: 1 } }),
    op({ op: 'get', start: 2, end: 3, result: { value: 'a', version: 1 } }),
  ];
  t.equal(checkHistory(h).verdict, 'ok');
});

t.test('a stale read after a completed write is a violation', async (t) => {
  const h = [
    op({ op: 'put', value: 'a', start: 0, end: 1 }),
    op({ op: 'put', value: 'b', start: 2, end: 3 }),
    op({ op: 'get', start: 4, end: 5, result: { value: 'a' } }),
  ];
  const r = checkHistory(h);
  t.equal(r.verdict, 'violation');
  t.equal(r.keys[0]!.key, 'k');
  t.ok(r.keys[0]!.longestLinearization!.length >= 2, 'reports how far it got');
});

t.test('concurrent operations may take either order', async (t) => {
  const h = [
    op({ client: 'a', op: 'put', value: 'x', start: 0, end: 10 }),
    op({ client: 'b', op: 'get', start: 1, end: 2, result: { value: 'x' } }),
    op({ client: 'c', op: 'get', start: 3, end: 4, result: {} }),
  ];
  // b saw x, then c (strictly after b) saw nothing: impossible.
  t.equal(checkHistory(h).verdict, 'violation');
  h[2]!.start = 1;
  h[2]!.end = 2;
  h[1]!.start = 3;
  h[1]!.end = 4;
  // c saw nothing, then b saw x: fine, the put lands between.
  t.equal(checkHistory(h).verdict, 'ok');
});

t.test('an unknown write may or may not have happened', async (t) => {
  const unknown = op({ op: 'put', value: 'z', start: 0, end: 1, outcome: 'unknown' });
  const sawIt = [unknown, op({ op: 'get', start: 5, end: 6, result: { value: 'z' } })];
  const missedIt = [unknown, op({ op: 'get', start: 5, end: 6, result: {} })];
  t.equal(checkHistory(sawIt).verdict, 'ok');
  t.equal(checkHistory(missedIt).verdict, 'ok');
  // But once seen, it cannot be un-seen.
  const flicker = [...sawIt, op({ op: 'get', start: 7, end: 8, result: {} })];
  t.equal(checkHistory(flicker).verdict, 'violation');
});

t.test('failed operations are ignored', async (t) => {
  const h = [
    op({ op: 'put', value: 'a', start: 0, end: 1, outcome: 'failed' }),
    op({ op: 'get', start: 2, end: 3, result: {} }),
  ];
  t.equal(checkHistory(h).verdict, 'ok');
});

t.test('compare-and-swap follows versions', async (t) => {
  const ok = [
    op({ op: 'cas', value: 'a', expectedVersion: 0, start: 0, end: 1, result: { ok: true, version: 1 } }),
    op({ op: 'cas', value: 'b', expectedVersion: 0, start: 2, end: 3, result: { ok: false } }),
    op({ op: 'cas', value: 'c', expectedVersion: 1, start: 4, end: 5, result: { ok: true, version: 2 } }),
    op({ op: 'get', start: 6, end: 7, result: { value: 'c', version: 2 } }),
  ];
  t.equal(checkHistory(ok).verdict, 'ok');
  // Two clients both winning the same expected version is impossible.
  const doubleWin = [
    op({ client: 'a', op: 'cas', value: 'a', expectedVersion: 0, start: 0, end: 5, result: { ok: true } }),
    op({ client: 'b', op: 'cas', value: 'b', expectedVersion: 0, start: 0, end: 5, result: { ok: true } }),
  ];
  t.equal(checkHistory(doubleWin).verdict, 'violation');
});

t.test('keys are checked independently', async (t) => {
  const h = [
    op({ key: 'x', op: 'put', value: '1', start: 0, end: 1 }),
    op({ key: 'y', op: 'get', start: 2, end: 3, result: {} }),
    op({ key: 'x', op: 'get', start: 4, end: 5, result: { value: '1' } }),
  ];
  const r = checkHistory(h);
  t.equal(r.verdict, 'ok');
  t.equal(r.keys.length, 2);
});

/** A seeded PRNG so generated histories replay. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A history made by really executing operations one at a time at random
 * linearization points inside random intervals: linearizable by construction.
 */
function generate(seed: number, n: number, clients: number): Operation[] {
  const r = rng(seed);
  const state = new Map<string, { value?: string; version: number }>();
  const ops: Operation[] = [];
  let now = 0;
  for (let i = 0; i < n; i++) {
    now += Math.floor(r() * 3);
    const key = `k${Math.floor(r() * 2)}`;
    const s = state.get(key) ?? { version: 0 };
    const kind = (['get', 'put', 'cas'] as const)[Math.floor(r() * 3)]!;
    const point = now;
    const start = point - Math.floor(r() * 5);
    const end = point + Math.floor(r() * 5);
    const client = `c${i % clients}`;
    if (kind === 'get') ops.push({ client, op: 'get', key, start, end, outcome: 'ok', result: { value: s.value, version: s.version } });
    else if (kind === 'put') {
      const v = `v${i}`;
      state.set(key, { value: v, version: s.version + 1 });
      ops.push({ client, op: 'put', key, value: v, start, end, outcome: r() < 0.1 ? 'unknown' : 'ok', result: { version: s.version + 1 } });
    } else {
      const expected = r() < 0.5 ? s.version : s.version + 1;
      const swaps = expected === s.version;
      const v = `v${i}`;
      if (swaps) state.set(key, { value: v, version: s.version + 1 });
      ops.push({ client, op: 'cas', key, value: v, expectedVersion: expected, start, end, outcome: 'ok', result: { ok: swaps } });
    }
  }
  return ops;
}

t.test('generated linearizable histories pass, and corrupting a read is caught', async (t) => {
  let caught = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const h = generate(seed, 60, 4);
    const r = checkHistory(h);
    if (r.verdict !== 'ok') t.fail(`seed ${seed}: generated history judged ${r.verdict}`);
    // Make one successful read return a value never written.
    const gets = h.filter((o) => o.op === 'get');
    if (gets.length === 0) continue;
    gets[seed % gets.length]!.result = { value: 'never-written' };
    if (checkHistory(h).verdict === 'violation') caught++;
    else t.fail(`seed ${seed}: corrupted history passed`);
  }
  t.ok(caught > 150, `caught ${caught} corrupted histories`);
});

t.test('history lines round trip and bad lines name the field', async (t) => {
  const h = generate(7, 10, 2);
  t.same(parseHistory(formatHistory(h)), JSON.parse(JSON.stringify(h)));
  t.throws(() => parseHistory('{"client":"a","op":"inc","key":"k","start":0,"end":1,"outcome":"ok"}'), /line 1: op: must be get, put or cas/);
  t.throws(() => parseHistory('\n{"client":"a","op":"put","key":"k","start":0,"end":1,"outcome":"ok"}'), /line 2: value: required/);
  t.throws(() => parseHistory('nope'), HistoryFormatError);
  t.throws(() => parseHistory('{"client":"a","op":"get","key":"k","start":5,"end":1,"outcome":"ok"}'), /end: must not be before start/);
});

t.test('a pathological history gives up with timeout, not a hang', async (t) => {
  // Many fully concurrent writes and a read of one of them: huge search space.
  const h: Operation[] = [];
  for (let i = 0; i < 40; i++) h.push(op({ client: `c${i}`, op: 'put', value: `v${i}`, start: 0, end: 100 }));
  h.push(op({ op: 'get', start: 200, end: 201, result: { value: 'nope' } }));
  const r = checkHistory(h, { maxStepsPerKey: 20_000 });
  t.not(r.verdict, 'ok');
});
