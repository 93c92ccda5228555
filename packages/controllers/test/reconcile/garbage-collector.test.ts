import t from 'tap';
import type { Pod, ReplicaSet } from '@shoal/api';
import { FOREGROUND_FINALIZER, reconcileGarbage, reconcileReplicaSet } from '../../src/index.js';
import { MemoryCluster } from '../fixtures/memory-cluster.js';
import { key, ops, step } from '../fixtures/drive.js';
import { replicaSet } from '../fixtures/objects.js';

const RS = key('ReplicaSet', 'web');

function withPods(): MemoryCluster {
  const c = new MemoryCluster();
  c.create(replicaSet('web', 2));
  step(c, reconcileReplicaSet, RS);
  return c;
}

t.test('dependents of a deleted owner are deleted', async (t) => {
  const c = withPods();
  c.apply([{ op: 'delete', key: RS }]);
  for (const p of c.list<Pod>('Pod')) t.same(ops(step(c, reconcileGarbage, key('Pod', p.metadata.name)).actions), [`delete Pod ${p.metadata.name}`]);
  t.equal(c.list('Pod').length, 0);
});

t.test('an owner recreated under the same name does not adopt: the uid decides', async (t) => {
  const c = withPods();
  c.apply([{ op: 'delete', key: RS }]);
  c.create(replicaSet('web', 2));
  const [p] = c.list<Pod>('Pod');
  t.same(ops(step(c, reconcileGarbage, key('Pod', p!.metadata.name)).actions), [`delete Pod ${p!.metadata.name}`]);
});

t.test('live owners keep their dependents; dangling extra references are dropped', async (t) => {
  const c = withPods();
  const [p] = c.list<Pod>('Pod');
  t.same(step(c, reconcileGarbage, key('Pod', p!.metadata.name)).actions, []);
  c.put({ ...p!, metadata: { ...p!.metadata, ownerReferences: [...p!.metadata.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: 'nope' }] } });
  t.same(ops(step(c, reconcileGarbage, key('Pod', p!.metadata.name)).actions), [`update Pod ${p!.metadata.name}`]);
  t.equal(c.get<Pod>(key('Pod', p!.metadata.name))!.metadata.ownerReferences!.length, 1);
});

t.test('foreground deletion: dependents first, then the finalizer goes and the owner with it', async (t) => {
  const c = withPods();
  c.apply([{ op: 'delete', key: RS, propagationPolicy: 'Foreground' }]);
  t.same(c.get<ReplicaSet>(RS)!.metadata.finalizers, [FOREGROUND_FINALIZER]);
  t.same(step(c, reconcileReplicaSet, RS).actions, [], 'a terminating set makes no pods');
  const r = step(c, reconcileGarbage, RS);
  t.equal(ops(r.actions).filter((o) => o.startsWith('delete Pod')).length, 2);
  t.ok(c.get(RS), 'owner stays while dependents exist');
  // Each dependent was deleted in the foreground too: with no dependents of its own, it loses the finalizer.
  for (const p of c.list<Pod>('Pod')) t.same(ops(step(c, reconcileGarbage, key('Pod', p.metadata.name)).actions), [`update Pod ${p.metadata.name}`]);
  c.finishAllTerminations();
  t.same(ops(step(c, reconcileGarbage, RS).actions), ['update ReplicaSet web']);
  t.equal(c.get(RS), undefined);
});

t.test('orphan deletion: dependents lose the reference and stay', async (t) => {
  const c = withPods();
  c.apply([{ op: 'delete', key: RS, propagationPolicy: 'Orphan' }]);
  step(c, reconcileGarbage, RS);
  t.ok(c.list<Pod>('Pod').every((p) => (p.metadata.ownerReferences ?? []).length === 0));
  step(c, reconcileGarbage, RS);
  t.equal(c.get(RS), undefined);
  t.equal(c.list('Pod').length, 2);
});

t.test('events expire after eventTtlMs', async (t) => {
  const c = new MemoryCluster();
  c.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', message: 'm', type: 'Normal', lastTimestamp: new Date(c.now).toISOString() } as never);
  const E = key('Event', 'e1');
  const o = { config: { eventTtlMs: 60_000 } };
  t.same(step(c, reconcileGarbage, E, o), { actions: [], requeueAfterMs: 60_000 });
  c.now += 60_000;
  t.same(ops(step(c, reconcileGarbage, E, o).actions), ['delete Event e1']);
  t.equal(c.get(E), undefined);
});
