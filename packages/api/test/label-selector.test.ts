import t from 'tap';
import { thrown } from './helpers.js';
import { SelectorParseError, formatSelector, isEmptySelector, matchesSelector, parseSelector, selectorFromSet } from '../src/index.js';

t.test('matchLabels and every operator', async (t) => {
  const labels = { app: 'web', tier: 'front' };
  t.ok(matchesSelector({ matchLabels: { app: 'web' } }, labels));
  t.notOk(matchesSelector({ matchLabels: { app: 'db' } }, labels));
  t.notOk(matchesSelector({ matchLabels: { app: 'web' } }, undefined));
  t.ok(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels));
  t.notOk(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, labels));
  t.notOk(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, labels));
  t.ok(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels));
  t.notOk(matchesSelector({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels));
  t.ok(matchesSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels));
  t.notOk(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels));
  t.ok(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels));
  t.notOk(matchesSelector({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels));
  t.ok(matchesSelector({}, labels), 'empty selector matches everything');
  t.ok(matchesSelector(undefined, undefined));
  t.ok(isEmptySelector({}));
  t.notOk(isEmptySelector({ matchLabels: { a: 'b' } }));
});

t.test('does not match inherited properties', async (t) => {
  t.notOk(matchesSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {}));
  t.notOk(matchesSelector({ matchLabels: { constructor: 'x' } }, {}));
});

t.test('parseSelector handles the full kubectl syntax', async (t) => {
  t.same(parseSelector('a=b,c!=d,e in (x,y),f notin (z),g,!h'), {
    matchLabels: { a: 'b' },
    matchExpressions: [
      { key: 'c', operator: 'NotIn', values: ['d'] },
      { key: 'e', operator: 'In', values: ['x', 'y'] },
      { key: 'f', operator: 'NotIn', values: ['z'] },
      { key: 'g', operator: 'Exists' },
      { key: 'h', operator: 'DoesNotExist' },
    ],
  });
  t.same(parseSelector(''), {});
  t.same(parseSelector('  '), {});
  t.same(parseSelector('app==web'), { matchLabels: { app: 'web' } });
  t.same(parseSelector(' app = web , example.com/tier in ( a , b ) '), {
    matchLabels: { app: 'web' },
    matchExpressions: [{ key: 'example.com/tier', operator: 'In', values: ['a', 'b'] }],
  });
  t.same(parseSelector('a=b,a=c'), { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['c'] }] });
  t.same(parseSelector('a='), { matchLabels: { a: '' } });
});

t.test('parseSelector errors name the position', async (t) => {
  for (const [bad, pos] of [
    ['a=b,', 4],
    ['a b', 2],
    ['a in x', 5],
    ['a in (x', 7],
    ['-a=b', 0],
    ['a=-b', 2],
    ['a=b c', 4],
    ['!', 1],
    [',a', 0],
  ] as const) {
    const e = thrown(() => parseSelector(bad));
    t.ok(e instanceof SelectorParseError && e.position === pos && e.message.includes(`position ${pos}`), `${bad}: ${String(e)}`);
  }
});

t.test('selectorFromSet and formatSelector round-trip', async (t) => {
  const sel = selectorFromSet({ app: 'web', tier: 'front' });
  t.ok(matchesSelector(sel, { app: 'web', tier: 'front', x: 'y' }));
  t.notOk(matchesSelector(sel, { app: 'web' }));
  const text = 'a=b,c!=d,e in (x,y),f notin (z,w),g,!h';
  t.equal(formatSelector(parseSelector(text)), text);
  t.same(parseSelector(formatSelector(parseSelector(text))), parseSelector(text));
  t.equal(formatSelector(undefined), '');
  t.equal(formatSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] }), 'k=v');
});
