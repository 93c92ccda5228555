import t from 'tap';
import type { KubeObject } from '@shoal/api';
import { ObjectStore } from '@shoal/state';
import { subscribeChanges } from '../src/store-changes.js';

t.test('subscribeChanges hands over the object before each change', async (t) => {
  const store = new ObjectStore();
  const seen: Array<[string, string | undefined, string | undefined]> = [];
  const data = (o: KubeObject | undefined) => (o ? (o as unknown as { data: { v: string } }).data.v : undefined);
  const stop = subscribeChanges(store, (kind, key, object, previous) => seen.push([`${kind}/${key.name}`, data(object), data(previous)]), ['ConfigMap']);
  const cm = (v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { v } } as KubeObject);
  store.apply({ type: 'create', object: cm('1'), uid: 'u1', timestamp: '2026-01-01T00:00:00Z' });
  store.apply({ type: 'update', object: cm('2') });
  store.apply({ type: 'delete', key: { kind: 'ConfigMap', namespace: 'default', name: 'c' }, timestamp: '2026-01-01T00:00:01Z' });
  store.apply({ type: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }, uid: 'u2', timestamp: '2026-01-01T00:00:02Z' });
  stop();
  t.same(seen, [
    ['ConfigMap/c', '1', undefined],
    ['ConfigMap/c', '2', '1'],
    ['ConfigMap/c', undefined, '2'],
  ], 'added, modified (with the old version), deleted (with the last version); other kinds filtered out');
});

t.test('a subscription survives the store being replaced by a snapshot, and says so', async (t) => {
  const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v: '1' } } as KubeObject);
  const create = (s: ObjectStore, name: string, uid: string) => s.apply({ type: 'create', object: cm(name), uid, timestamp: '2026-01-01T00:00:00Z' });
  // The leader's store, ahead of this node's.
  const leader = new ObjectStore();
  for (let i = 0; i < 5; i++) create(leader, `l${i}`, `lu${i}`);
  const store = new ObjectStore();
  const seen: string[] = [];
  let resets = 0;
  const stop = subscribeChanges(store, (_kind, key) => seen.push(key.name), ['ConfigMap'], () => resets++);
  create(store, 'before', 'u0');
  store.restore(leader.snapshot());
  t.equal(resets, 1, 'told of the reset');
  create(store, 'after', 'u1');
  t.same(seen, ['before', 'after'], 'changes after the install still arrive');
  stop();
  create(store, 'stopped', 'u2');
  store.restore(leader.snapshot());
  t.equal(resets, 1, 'a stopped subscription does not come back');
  t.same(seen, ['before', 'after']);
});
