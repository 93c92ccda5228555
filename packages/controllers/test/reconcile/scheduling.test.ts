import t from 'tap';
import type { Pod } from '@shoal/api';
import { planScheduling, reconcileReplicaSet } from '../../src/index.js';
import { MemoryCluster } from '../fixtures/memory-cluster.js';
import { ctxFor, events, key, step } from '../fixtures/drive.js';
import { node, replicaSet } from '../fixtures/objects.js';

t.test('binds pending pods with Scheduled events; unschedulable ones get one FailedScheduling event', async (t) => {
  const c = new MemoryCluster();
  for (const n of ['a', 'b', 'c']) c.create(node(n));
  c.create(replicaSet('web', 6));
  step(c, reconcileReplicaSet, key('ReplicaSet', 'web'));
  const pass = planScheduling(c.snapshot(), ctxFor(c));
  t.equal(pass.bound, 6);
  t.equal(events(pass.actions).filter((e) => e.startsWith('Scheduled: Successfully assigned default/web-')).length, 6);
  c.apply(pass.actions);
  const perNode = ['a', 'b', 'c'].map((n) => c.list<Pod>('Pod').filter((p) => p.spec?.nodeName === n).length);
  t.same(perNode, [2, 2, 2], '6 replicas spread 2-2-2');
  c.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { memory: '100Gi' } } }] } });
  const fail = planScheduling(c.snapshot(), ctxFor(c));
  t.same(events(fail.actions), ['FailedScheduling: 0/3 nodes are available: 3 Insufficient memory.']);
  c.apply(fail.actions);
  t.same(planScheduling(c.snapshot(), ctxFor(c)).actions, [], 'the same reason is not repeated');
});
