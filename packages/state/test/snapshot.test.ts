import t from 'tap';
import { SnapshotError, encodeSnapshotInSlices, objectJson, type WatchEvent } from '../src/index.js';
import { T0, configMap, create, key, namespace, newStore, ok, pod, replicaSet, service } from './helpers.js';

function busy() {
  const s = newStore({ serviceCIDR: '10.10.0.0/24', nodePortRange: [30000, 30010] });
  ok(s.apply(create(namespace('team'), 'ns-team')));
  ok(s.apply(create(replicaSet('rs'), 'rs-uid')));
  ok(s.apply(create(pod('p1', { owner: 'rs-uid', nodeName: 'n1' }), 'p1')));
  ok(s.apply(create(pod('p2', { namespace: 'team' }), 'p2')));
  ok(s.apply(create(service('web', { type: 'NodePort' }), 'svc')));
  ok(s.apply(create(configMap('c'), 'c')));
  ok(s.apply({ type: 'delete', key: key('Pod', 'p1'), timestamp: T0 }));
  return s;
}

t.test('snapshot and restore round-trip everything, revision included', async (t) => {
  const a = busy();
  const snap = a.snapshot();
  const b = newStore({ serviceCIDR: '10.10.0.0/24', nodePortRange: [30000, 30010] });
  b.restore(snap);
  t.equal(b.revision, a.revision);
  t.same(b.list('Pod'), a.list('Pod'));
  t.same(b.get(key('Service', 'web')), a.get(key('Service', 'web')));
  t.same(Buffer.from(b.snapshot()), Buffer.from(snap), 'byte-identical after restore');
  t.same(b.podsOnNode('n1').map((p) => p.metadata.name), ['p1'], 'indexes rebuilt');
  t.equal(b.dependents('rs-uid').length, 1);
  t.ok(Object.isFrozen(b.get(key('Pod', 'p1'))), 'restored objects are frozen');
  // Allocators continue where the original would.
  const na = ok(a.apply(create(service('next', { type: 'NodePort' }), 'n')));
  const nb = ok(b.apply(create(service('next', { type: 'NodePort' }), 'n')));
  t.same(na, nb, 'the same next allocation on both');
  t.same(Buffer.from(a.snapshot()), Buffer.from(b.snapshot()));
  t.match(String(b.apply(create(service('clash', { clusterIP: (na.spec as { clusterIP: string }).clusterIP }))).ok), 'false', 'restored allocations are held');
});

t.test('restore ends every watch with a relist error', async (t) => {
  const s = busy();
  const events: WatchEvent[] = [];
  s.watch({ fromRevision: s.revision }, (e) => events.push(e));
  const fresh = newStore();
  s.restore(fresh.snapshot());
  t.equal(events.length, 1);
  t.equal(events[0]?.type, 'ERROR');
  t.match(events[0]?.type === 'ERROR' ? events[0].error.message : '', /restored from a snapshot.*list again/);
  t.equal(s.watcherCount, 0);
  t.equal(s.revision, 2);
  t.equal(s.get(key('Pod', 'p2', 'team')), undefined);
  t.throws(() => s.watch({ fromRevision: 1 }, () => undefined), /compacted/);
  const after: number[] = [];
  s.watch({ fromRevision: 2 }, (e) => after.push(e.revision));
  ok(s.apply(create(configMap('x'))));
  t.same(after, [3]);
});

t.test('bad snapshots are refused and leave the store as it was', async (t) => {
  const s = busy();
  const before = Buffer.from(s.snapshot());
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  t.throws(() => s.restore(new TextEncoder().encode('not json')), SnapshotError);
  t.throws(() => s.restore(enc({ format: 'other' })), SnapshotError);
  t.throws(() => s.restore(enc({ format: 'shoal-state/1', revision: -1, clusterIPCursor: 0, nodePortCursor: 0, objects: [] })), SnapshotError);
  t.throws(() => s.restore(enc({ format: 'shoal-state/1', revision: 1, clusterIPCursor: 0, nodePortCursor: 0, objects: {} })), SnapshotError);
  t.throws(() => s.restore(enc({ format: 'shoal-state/1', revision: 1, clusterIPCursor: 0, nodePortCursor: 0, objects: [{ kind: 'Pod' }] })), SnapshotError);
  t.same(Buffer.from(s.snapshot()), before);
});

t.test('determinism: the same commands give byte-identical snapshots', async (t) => {
  const a = busy();
  const b = busy();
  t.same(Buffer.from(a.snapshot()), Buffer.from(b.snapshot()));
});

t.test('the sliced encoding gives the same bytes as the whole one, and captures the state as of the call', async (t) => {
  const s = busy();
  for (let i = 0; i < 25; i++) ok(s.apply(create(configMap(`cm-${i}`, { k: `v${i}`, n: 'x'.repeat(i) }), `cm-${i}`)));
  const whole = Buffer.from(s.snapshot());
  let pauses = 0;
  for (const perSlice of [1, 7, 1000]) {
    const sliced = await encodeSnapshotInSlices(s.snapshotData(), perSlice, async () => { pauses++; });
    t.same(Buffer.from(sliced), whole, `${perSlice} per slice`);
  }
  t.ok(pauses > 30, 'it did pause between slices');
  // Writes after the capture are not in it.
  const data = s.snapshotData();
  const encoding = encodeSnapshotInSlices(data, 2, () => new Promise((r) => setImmediate(r)));
  ok(s.apply(create(configMap('late'), 'late')));
  t.same(Buffer.from(await encoding), whole, 'a write during the encoding is not in it');
  const empty = newStore();
  t.same(Buffer.from(await encodeSnapshotInSlices(empty.snapshotData(), 10, async () => {})), Buffer.from(empty.snapshot()), 'an empty store too');
});

t.test('the sliced encoding: text outside ASCII, and objects larger than the buffer it starts with', async (t) => {
  const s = busy();
  // Two, three and four bytes of UTF-8 (a surrogate pair), and values far
  // over the 512 bytes per object the buffer is first sized for.
  ok(s.apply(create(configMap('unicode', { a: 'é', b: '€ and 中文', c: '🐟'.repeat(50) }), 'unicode')));
  for (let i = 0; i < 4; i++) ok(s.apply(create(configMap(`big-${i}`, { v: `${'ü'.repeat(20_000)}${i}` }), `big-${i}`)));
  const whole = Buffer.from(s.snapshot());
  for (const perSlice of [1, 3, 1000]) {
    t.same(Buffer.from(await encodeSnapshotInSlices(s.snapshotData(), perSlice, async () => {})), whole, `${perSlice} per slice`);
  }
  const back = newStore();
  back.restore(whole);
  t.equal((back.get(key('ConfigMap', 'unicode')) as { data?: Record<string, string> } | undefined)?.data?.c, '🐟'.repeat(50), 'and it decodes back');
});

t.test('snapshot order: the order keys were first inserted, kept by a restore, not changed by a list', async (t) => {
  // Neither the kinds, the namespaces nor the names are inserted sorted.
  const names = ['z', 'a-b', 'a', 'b', 'aa', 'a.b', '0'];
  const build = () => {
    const s = newStore();
    for (const ns of ['a-b', 'b', 'a']) ok(s.apply(create(namespace(ns), `ns-${ns}`)));
    for (const ns of ['b', 'a-b', 'a']) for (const n of names) ok(s.apply(create(configMap(n, { k: 'v' }, ns), `${ns}/${n}`)));
    // A replaced object keeps its place; a removed key that comes back goes last.
    ok(s.apply({ type: 'delete', key: key('ConfigMap', 'a-b', 'b'), timestamp: T0 }));
    ok(s.apply(create(configMap('a-b', { k: 'again' }, 'b'), 'b/a-b/2')));
    ok(s.apply(create(service('web'), 'svc')));
    return s;
  };
  const expected = (['b', 'a-b', 'a'] as const).flatMap((ns) => names.filter((n) => ns !== 'b' || n !== 'a-b').map((n) => `ConfigMap ${ns}/${n}`));
  expected.splice(names.length - 1, 0, 'ConfigMap b/a-b');
  const order = (st: ReturnType<typeof build>) => st.snapshotData().objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  const fresh = build();
  t.same(order(fresh).filter((x) => x.startsWith('ConfigMap')), expected, 'kind by kind, namespace by namespace, in insertion order');
  const kinds = order(fresh).map((x) => x.split(' ')[0]).filter((k, i, all) => k !== all[i - 1]);
  t.same(kinds, ['Namespace', 'ConfigMap', 'Service'], 'kinds in the order of their first object, each once');
  const listed = build();
  listed.list('ConfigMap');
  t.same(Buffer.from(fresh.snapshot()), Buffer.from(listed.snapshot()), 'a list (which sorts the keys) does not change the bytes');
  const restored = newStore();
  restored.restore(fresh.snapshot());
  t.same(order(restored), order(fresh), 'a restore rebuilds the same order');
  for (const st of [fresh, restored]) ok(st.apply(create(configMap('late', {}, 'b'), 'late')));
  t.same(Buffer.from(restored.snapshot()), Buffer.from(fresh.snapshot()), 'and the same history after it gives the same bytes');
  const listedKeys = listed.list('ConfigMap').map((o) => `${o.metadata.namespace}\u0000${o.metadata.name}`);
  t.same(listedKeys, [...listedKeys].sort(), 'lists are still sorted');
});

t.test('objectJson: the text of a stored object, kept for as long as it lives', async (t) => {
  const s = newStore();
  const o = ok(s.apply(create(configMap('cfg', { a: '1' }))));
  t.equal(objectJson(o), JSON.stringify(o));
  t.equal(objectJson(o), objectJson(o));
  // A plain (unfrozen) object may change: its text is never kept.
  const loose: Record<string, unknown> = { a: 1 };
  t.equal(objectJson(loose), '{"a":1}');
  loose.a = 2;
  t.equal(objectJson(loose), '{"a":2}');
  // Snapshots made from cached texts are the same bytes as a fresh encoding.
  const sliced = await encodeSnapshotInSlices(s.snapshotData(), 1, async () => {});
  t.same(Buffer.from(sliced), Buffer.from(s.snapshot()));
});
