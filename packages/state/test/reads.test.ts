import t from 'tap';
import { parseFieldSelector, parseSelector } from '@shoal/api';
import { ContinueTokenError } from '../src/index.js';
import { T0, configMap, create, key, namespace, newStore, ok, pod } from './helpers.js';

function populated() {
  const s = newStore();
  ok(s.apply(create(namespace('b-ns'))));
  ok(s.apply(create(namespace('a-ns'))));
  for (const [n, ns, labels, node] of [
    ['web-2', 'default', { app: 'web', tier: 'front' }, 'n1'],
    ['web-1', 'default', { app: 'web', tier: 'front' }, 'n2'],
    ['db-1', 'default', { app: 'db' }, undefined],
    ['web-9', 'b-ns', { app: 'web' }, 'n1'],
    ['web-3', 'a-ns', { app: 'web', tier: 'back' }, 'n1'],
  ] as const) {
    ok(s.apply(create(pod(n, { namespace: ns, labels: { ...labels }, ...(node ? { nodeName: node } : {}) }))));
  }
  ok(s.apply(create(configMap('cfg'))));
  return s;
}
const names = (xs: { metadata: { namespace?: string; name: string } }[]) => xs.map((x) => `${x.metadata.namespace}/${x.metadata.name}`);

t.test('get and list (sorted by namespace, then name)', async (t) => {
  const s = populated();
  t.equal(s.get(key('Pod', 'web-1'))?.metadata.name, 'web-1');
  t.equal(s.get(key('Pod', 'web-1', 'b-ns')), undefined);
  t.same(names(s.list('Pod')), ['a-ns/web-3', 'b-ns/web-9', 'default/db-1', 'default/web-1', 'default/web-2']);
  t.same(names(s.list('Pod', { namespace: 'default' })), ['default/db-1', 'default/web-1', 'default/web-2']);
  t.same(s.list('Deployment'), []);
  t.same(s.list('Pod', { namespace: 'nowhere' }), []);
  t.equal(s.size, 2 + 2 + 5 + 1);
  t.same(s.counts(), { ConfigMap: 1, Namespace: 4, Pod: 5 });
});

t.test('label and field selectors', async (t) => {
  const s = populated();
  t.same(names(s.list('Pod', { labelSelector: parseSelector('app=web,tier in (front,back)') })), ['a-ns/web-3', 'default/web-1', 'default/web-2']);
  t.same(names(s.list('Pod', { labelSelector: parseSelector('!tier') })), ['b-ns/web-9', 'default/db-1']);
  t.same(names(s.list('Pod', { fieldSelector: parseFieldSelector('spec.nodeName=n1') })), ['a-ns/web-3', 'b-ns/web-9', 'default/web-2'], 'node index');
  t.same(names(s.list('Pod', { fieldSelector: parseFieldSelector('spec.nodeName=n1'), namespace: 'default' })), ['default/web-2']);
  t.same(names(s.list('Pod', { fieldSelector: parseFieldSelector('spec.nodeName=') })), ['default/db-1'], 'unbound pods');
  t.same(names(s.list('Pod', { fieldSelector: parseFieldSelector('status.phase=Pending,metadata.name!=web-1'), namespace: 'default' })), ['default/db-1', 'default/web-2']);
  t.same(names(s.list('Pod', { fieldSelector: parseFieldSelector('metadata.namespace=b-ns') })), ['b-ns/web-9']);
  t.same(names(s.podsOnNode('n1')), ['a-ns/web-3', 'b-ns/web-9', 'default/web-2']);
  t.same(s.podsOnNode('none'), []);
});

t.test('pagination with continue tokens', async (t) => {
  const s = populated();
  const p1 = s.listPage('Pod', { limit: 2 });
  t.same(names(p1.items), ['a-ns/web-3', 'b-ns/web-9']);
  t.equal(p1.remainingItemCount, 3);
  t.equal(p1.revision, s.revision);
  t.ok(p1.continue);
  ok(s.apply(create(pod('aaa', { namespace: 'a-ns' }))));
  const p2 = s.listPage('Pod', { limit: 2, continue: p1.continue });
  t.same(names(p2.items), ['default/db-1', 'default/web-1'], 'continues after the last key, unaffected by earlier inserts');
  const p3 = s.listPage('Pod', { limit: 2, continue: p2.continue });
  t.same(names(p3.items), ['default/web-2']);
  t.equal(p3.continue, undefined);
  t.equal(s.listPage('Pod').items.length, 6, 'no limit: everything');
  t.same(names(s.listPage('Pod', { limit: 1, labelSelector: parseSelector('app=db') }).items), ['default/db-1']);
  t.throws(() => s.listPage('Pod', { continue: 'garbage!' }), ContinueTokenError);
  t.throws(() => s.listPage('Pod', { limit: -1 }), ContinueTokenError);
});

t.test('ObjectReader view', async (t) => {
  const s = populated();
  const reader: import('@shoal/api').ObjectReader = s;
  t.equal(reader.revision, s.revision);
  t.equal(reader.list('ConfigMap').length, 1);
  t.equal(reader.get(key('ConfigMap', 'cfg'))?.kind, 'ConfigMap');
});

t.test('a kind with more objects than a call can take as arguments still lists and snapshots', async (t) => {
  // out.push(...list) threw RangeError past about 120,000 objects.
  const s = newStore();
  const n = 160_000;
  for (let i = 0; i < n; i++) {
    const r = s.apply(create(configMap(`c-${i}`, {}), `u-${i}`));
    if (!r.ok) throw r.error;
  }
  t.equal(s.list('ConfigMap').length, n);
  t.equal(s.snapshotData().objects.filter((o) => o.kind === 'ConfigMap').length, n);
  t.doesNotThrow(() => s.snapshot());
});

t.test('pages across namespaces whose names prefix each other miss nothing', async (t) => {
  // "a" < "a-b" as namespaces, but "a-b/x" < "a/x" as strings: tokens compared
  // as "namespace/name" strings skipped the whole of "a-b" after a page ending in "a".
  const s = newStore();
  for (const ns of ['a', 'a-b', 'ab']) ok(s.apply(create(namespace(ns), `ns-${ns}`)));
  for (const ns of ['a', 'a-b', 'ab']) for (const n of ['x', 'y']) ok(s.apply(create(configMap(n, {}, ns), `${ns}-${n}`)));
  const all = names(s.list('ConfigMap'));
  t.same(all, ['a/x', 'a/y', 'a-b/x', 'a-b/y', 'ab/x', 'ab/y']);
  for (const limit of [1, 2, 3, 4, 5]) {
    const seen: string[] = [];
    let page = s.listPage('ConfigMap', { limit });
    seen.push(...names(page.items));
    while (page.continue) {
      t.equal(page.remainingItemCount, all.length - seen.length, `remaining count at limit ${limit}`);
      page = s.listPage('ConfigMap', { limit, continue: page.continue });
      seen.push(...names(page.items));
    }
    t.same(seen, all, `pages of ${limit}`);
  }
  // One namespace, with a selector that matches every other object.
  const sel = s.listPage('ConfigMap', { namespace: 'a-b', limit: 1, fieldSelector: parseFieldSelector('metadata.name=y') });
  t.same(names(sel.items), ['a-b/y']);
  t.equal(sel.continue, undefined);
});

t.test('paging goes on through creates and deletes between pages', async (t) => {
  const s = newStore();
  for (let i = 0; i < 10; i++) ok(s.apply(create(configMap(`c${i}`), `u${i}`)));
  const p1 = s.listPage('ConfigMap', { namespace: 'default', limit: 4 });
  t.same(names(p1.items), ['default/c0', 'default/c1', 'default/c2', 'default/c3']);
  // c2 (already returned) and c5 (not yet) go; c1a and c9a come.
  ok(s.apply({ type: 'delete', key: key('ConfigMap', 'c2'), timestamp: T0 }));
  ok(s.apply({ type: 'delete', key: key('ConfigMap', 'c5'), timestamp: T0 }));
  ok(s.apply(create(configMap('c1a'), 'u1a')));
  ok(s.apply(create(configMap('c9a'), 'u9a')));
  const p2 = s.listPage('ConfigMap', { namespace: 'default', limit: 4, continue: p1.continue });
  t.same(names(p2.items), ['default/c4', 'default/c6', 'default/c7', 'default/c8']);
  t.equal(p2.remainingItemCount, 2);
  const p3 = s.listPage('ConfigMap', { namespace: 'default', limit: 4, continue: p2.continue });
  t.same(names(p3.items), ['default/c9', 'default/c9a']);
  t.equal(p3.continue, undefined);
  t.same(names(s.list('ConfigMap', { namespace: 'default' })), ['c0', 'c1', 'c1a', 'c3', 'c4', 'c6', 'c7', 'c8', 'c9', 'c9a'].map((n) => `default/${n}`));
});
