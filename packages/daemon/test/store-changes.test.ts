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
