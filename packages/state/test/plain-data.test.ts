import t from 'tap';
import fc from 'fast-check';
import { withoutNulls } from '@shoal/api';
import { deepEqual, deepFreeze } from '../src/plain-data.js';

/** JSON with every object's keys sorted: equal texts, equal data. */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) =>
  x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x);

/** The same data with every object's keys in reverse order and an undefined field added. */
const reordered = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(reordered);
  if (v && typeof v === 'object') {
    // Built from entries: assigning out['__proto__'] would set the prototype instead of a key.
    const entries = Object.keys(v).reverse().map((k) => [k, reordered((v as Record<string, unknown>)[k])]);
    return Object.fromEntries([['zzUndefined', undefined], ...entries]);
  }
  return v;
};

t.test('deepEqual agrees with comparing canonical JSON, ignores key order and undefined fields', async (t) => {
  fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => deepEqual(a, b) === (canon(a) === canon(b))), { numRuns: 1000 });
  fc.assert(fc.property(fc.jsonValue(), (a) => deepEqual(a, reordered(a)) && deepEqual(reordered(a), a)), { numRuns: 1000 });
  t.notOk(deepEqual({ a: 1 }, { a: 1, b: null }), 'null is a value, not an absence');
  t.notOk(deepEqual({ a: 1, b: undefined }, { b: 1 }));
  t.notOk(deepEqual({ a: undefined }, { b: 1 }), 'as many defined fields, not the same ones');
  t.ok(deepEqual({ a: undefined }, {}));
  t.notOk(deepEqual([1], { 0: 1 }), 'a list is not a map');
  const own = JSON.parse('{"__proto__": {"x": 1}}') as object;
  t.notOk(deepEqual(own, {}), 'an own __proto__ key counts');
  t.ok(deepEqual(own, JSON.parse('{"__proto__": {"x": 1}}')));
  const nullProto = JSON.parse('{"__proto__": null}') as object;
  t.ok(deepEqual(nullProto, reordered(nullProto)), 'an own __proto__ key survives the reordering (fast-check found this)');
});

t.test('withoutNulls drops null and undefined fields at every depth and copies the rest', async (t) => {
  const src = { a: null, b: { c: undefined, d: [1, null, { e: null, f: 'x' }] }, g: 0, h: '' };
  const out = withoutNulls(src);
  t.same(out, { b: { d: [1, null, { f: 'x' }] }, g: 0, h: '' }, 'list items stay, even null ones');
  t.not(out.b, src.b, 'a copy');
  const own = withoutNulls(JSON.parse('{"__proto__": {"polluted": true}, "k": null}') as Record<string, unknown>);
  t.same(Object.keys(own), ['__proto__'], 'a __proto__ key stays an own key');
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'and sets no prototype');
  fc.assert(fc.property(fc.jsonValue(), (v) => canon(withoutNulls(v)) === canon(JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x === null ? undefined : x)) ?? 'null') ?? null) || v === null), { numRuns: 500 });
});

t.test('deepFreeze freezes every level and leaves frozen subtrees alone', async (t) => {
  const shared = Object.freeze({ x: { y: 1 } });
  const o = deepFreeze({ a: { b: [{ c: 1 }] }, s: shared });
  t.ok(Object.isFrozen(o.a.b[0]));
  t.notOk(Object.isFrozen(shared.x), 'an already-frozen subtree is not walked');
});
