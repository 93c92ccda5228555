/**
 * validate must never throw, whatever shape it is given: it guards the store's
 * apply. Random JSON values are planted at random paths of valid objects.
 */
import t from 'tap';
import fc from 'fast-check';
import { applyDefaults, validate } from '../src/index.js';
import { valid } from './fixtures.js';

/** Every path (list of keys/indexes) inside a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function plant(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1] as string | number] = value;
  return copy;
}

t.test('validate and applyDefaults never throw on malformed objects', async (t) => {
  const fixtures = Object.values(valid());
  const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}), fc.array(fc.constant(null)), fc.jsonValue());
  fc.assert(
    fc.property(fc.nat(), fc.nat(), junk, (fi, pi, value) => {
      const base = fixtures[fi % fixtures.length];
      const ps = paths(base);
      const broken = plant(base, ps[pi % ps.length] ?? [], value);
      validate(broken);
      if (typeof broken === 'object' && broken !== null && !Array.isArray(broken)) validate(applyDefaults(broken as never));
    }),
    { numRuns: 3000, seed: 0x5ea2 },
  );
  t.pass('3000 malformed objects validated without throwing');
});
