import t from 'tap';
import { clone } from '../src/index.js';
import { deepFreeze } from '../src/plain-data.js';

t.test('clone: a deep, unfrozen copy of JSON-shaped data', async (t) => {
  const o = deepFreeze({ a: [1, { b: 'x' }], c: { d: null, e: true } });
  const c = clone(o);
  t.same(c, o);
  t.not(c.a, o.a, 'arrays are copied');
  t.not(c.c, o.c, 'objects are copied');
  t.notOk(Object.isFrozen(c) || Object.isFrozen(c.a[1]), 'the copy can be changed');
  (c.a[1] as { b: string }).b = 'y';
  t.equal((o.a[1] as { b: string }).b, 'x', 'without touching the original');
});

t.test('clone: an own __proto__ key from JSON.parse stays an own key, and no prototype changes', async (t) => {
  const parsed = JSON.parse('{"metadata":{"name":"x","__proto__":{"polluted":true}}}') as { metadata: Record<string, unknown> };
  const c = clone(parsed);
  t.ok(Object.prototype.hasOwnProperty.call(c.metadata, '__proto__'), 'an own key of the copy');
  t.same(Object.keys(c.metadata), ['name', '__proto__']);
  t.equal(Object.getPrototypeOf(c.metadata), Object.prototype, 'the prototype is untouched');
  t.equal((c.metadata as { polluted?: boolean }).polluted, undefined);
  t.equal(JSON.stringify(c), JSON.stringify(parsed), 'the same JSON');
});
