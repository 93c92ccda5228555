import t from 'tap';
import fc from 'fast-check';
import type { Pod, ReplicaSet } from '@shoal/api';
import { reconcileReplicaSet } from '../../src/index.js';
import { MemoryCluster } from '../fixtures/memory-cluster.js';
import { converge, ctxFor, events, key, ops, step } from '../fixtures/drive.js';
import { replicaSet } from '../fixtures/objects.js';

const RS = key('ReplicaSet', 'web');
const pods = (c: MemoryCluster): Pod[] => c.list<Pod>('Pod').filter((p) => !p.metadata.deletionTimestamp);

t.test('creates replicas with deterministic names; the same view gives the same actions', async (t) => {
  const c = new MemoryCluster();
  c.create(replicaSet('web', 3));
  const a = reconcileReplicaSet(RS, c.snapshot(), ctxFor(c));
  const b = reconcileReplicaSet(RS, c.snapshot(), ctxFor(c));
  t.same(a, b, 'idempotent on the same view');
  t.equal(ops(a.actions).filter((o) => o.startsWith('create Pod')).length, 3);
  t.same(events(a.actions).length, 3);
  for (const x of a.actions) if (x.op === 'create' && x.object.kind === 'Pod') t.match(x.object.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  c.apply(a.actions);
  // A retry on a stale view asks for the same names: the store refuses them, nothing doubles.
  const again = c.apply(b.actions.filter((x) => x.op === 'create'));
  t.ok(again.every((r) => !r.ok && r.code === 'AlreadyExists'));
  t.equal(pods(c).length, 3);
  t.same(ops(step(c, reconcileReplicaSet, RS).actions), ['updateStatus ReplicaSet web']);
  t.same(step(c, reconcileReplicaSet, RS).actions, [], 'then quiet');
});

t.test('a partially applied create batch is completed without duplicates', async (t) => {
  const c = new MemoryCluster();
  c.create(replicaSet('web', 4));
  const r = reconcileReplicaSet(RS, c.snapshot(), ctxFor(c));
  const creates = r.actions.filter((a) => a.op === 'create' && a.object.kind === 'Pod');
  c.apply(creates.slice(0, 2));
  converge(c, reconcileReplicaSet, RS);
  t.equal(pods(c).length, 4);
  t.equal(new Set(pods(c).map((p) => p.metadata.name)).size, 4);
});

t.test('scale down removes unscheduled, then not ready, then the most recently ready', async (t) => {
  const c = new MemoryCluster();
  c.create(replicaSet('web', 4));
  step(c, reconcileReplicaSet, RS);
  const [p0, p1, p2, p3] = pods(c);
  for (const p of [p0!, p1!, p2!]) c.put({ ...p, spec: { ...p.spec!, nodeName: 'n1' } });
  c.makeReady(key('Pod', p0!.metadata.name));
  c.now += 1000;
  c.makeReady(key('Pod', p1!.metadata.name));
  const rs = c.get<ReplicaSet>(RS)!;
  c.put({ ...rs, spec: { ...rs.spec!, replicas: 1 } });
  const r = step(c, reconcileReplicaSet, RS);
  t.same(ops(r.actions).filter((o) => o.startsWith('delete')), [`delete Pod ${p3!.metadata.name}`, `delete Pod ${p2!.metadata.name}`, `delete Pod ${p1!.metadata.name}`]);
  t.match(events(r.actions), [/SuccessfulDelete: Deleted pod/]);
});

t.test('failed and vanished pods are replaced', async (t) => {
  const c = new MemoryCluster();
  c.create(replicaSet('web', 2));
  step(c, reconcileReplicaSet, RS);
  const [a, b] = pods(c);
  c.setPodStatus(key('Pod', a!.metadata.name), { phase: 'Failed' });
  c.apply([{ op: 'delete', key: key('Pod', b!.metadata.name), gracePeriodSeconds: 0 }]);
  const r = step(c, reconcileReplicaSet, RS);
  t.ok(ops(r.actions).includes(`delete Pod ${a!.metadata.name}`));
  t.equal(ops(r.actions).filter((o) => o.startsWith('create Pod')).length, 2);
  converge(c, reconcileReplicaSet, RS);
  t.equal(pods(c).filter((p) => p.status?.phase !== 'Failed').length, 2);
});

t.test('status counts ready and available with minReadySeconds, and requeues until available', async (t) => {
  const c = new MemoryCluster();
  c.create(replicaSet('web', 2, { minReadySeconds: 10 }));
  step(c, reconcileReplicaSet, RS);
  for (const p of pods(c)) c.makeReady(key('Pod', p.metadata.name));
  c.now += 4000;
  const r = step(c, reconcileReplicaSet, RS);
  t.equal(r.requeueAfterMs, 6000);
  t.match(c.get<ReplicaSet>(RS)!.status, { replicas: 2, readyReplicas: 2, availableReplicas: 0 });
  c.now += 6000;
  step(c, reconcileReplicaSet, RS);
  t.match(c.get<ReplicaSet>(RS)!.status, { availableReplicas: 2, observedGeneration: 1 });
});

t.test('a set being deleted creates nothing', async (t) => {
  const c = new MemoryCluster();
  const rs = c.create({ ...replicaSet('web', 2), metadata: { name: 'web', namespace: 'default', finalizers: ['foregroundDeletion'] } });
  c.apply([{ op: 'delete', key: RS }]);
  t.ok(c.get(RS)!.metadata.deletionTimestamp);
  t.same(step(c, reconcileReplicaSet, RS).actions, []);
  t.ok(rs);
});

t.test('property: converges to replicas from any start, never exceeding the larger of start and target', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.array(fc.constantFrom('pending', 'ready', 'failed', 'terminating', 'unbound'), { maxLength: 10 }), (start, target, states) => {
    const c = new MemoryCluster();
    c.create(replicaSet('web', start));
    converge(c, reconcileReplicaSet, RS);
    const existing = pods(c);
    existing.forEach((p, i) => {
      const s = states[i % Math.max(states.length, 1)] ?? 'unbound';
      const k = key('Pod', p.metadata.name);
      if (s !== 'unbound') c.put({ ...p, spec: { ...p.spec!, nodeName: 'n1' } });
      if (s === 'ready') c.makeReady(k);
      if (s === 'failed') c.setPodStatus(k, { phase: 'Failed' });
      if (s === 'terminating') c.apply([{ op: 'delete', key: k }]);
    });
    const rs = c.get<ReplicaSet>(RS)!;
    c.put({ ...rs, spec: { ...rs.spec!, replicas: target } });
    for (let i = 0; i < 20; i++) {
      const r = step(c, reconcileReplicaSet, RS);
      const active = c.list<Pod>('Pod').filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed');
      if (active.length > Math.max(start, target)) return false;
      c.finishAllTerminations();
      if (r.actions.length === 0) break;
    }
    const active = c.list<Pod>('Pod').filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed');
    return active.length === target && c.get<ReplicaSet>(RS)!.status?.replicas === target;
  }), { numRuns: 150 });
  t.pass('converges');
});

t.test('an orphan pod matching the selector is adopted and counted', async (t) => {
  const c = new MemoryCluster();
  c.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  c.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'default', labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  c.create(replicaSet('web', 2));
  t.same(ops(step(c, reconcileReplicaSet, RS).actions), ['update Pod stray']);
  t.equal(c.get<Pod>(key('Pod', 'stray'))!.metadata.ownerReferences![0]!.name, 'web');
  converge(c, reconcileReplicaSet, RS);
  t.equal(pods(c).filter((p) => p.metadata.labels?.app === 'web').length, 2, 'one adopted, one created');
  t.equal(c.get<Pod>(key('Pod', 'other'))!.metadata.ownerReferences, undefined);
});
