import t from 'tap';
import type { Node, Pod } from '@shoal/api';
import { reconcileNode, reconcileReplicaSet, UNREACHABLE_TAINT, type NodeLiveness } from '../../src/index.js';
import { MemoryCluster } from '../fixtures/memory-cluster.js';
import { key, ops, step } from '../fixtures/drive.js';
import { node, replicaSet } from '../fixtures/objects.js';

const N1 = key('Node', 'n1', '');

function pod(c: MemoryCluster, name: string, tolerations?: Pod['spec'] extends infer S ? S extends { tolerations?: infer T } ? T : never : never): Pod {
  return c.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }], tolerations } });
}

t.test('a dead node is tainted, marked Unknown, and its pods evicted after their toleration', async (t) => {
  const c = new MemoryCluster();
  c.create(node('n1'));
  pod(c, 'plain');
  pod(c, 'short', [{ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]);
  pod(c, 'forever', [{ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute' }]);
  const liveness: Record<string, NodeLiveness> = { n1: { state: 'alive', since: 0 } };
  const o = { liveness, config: { defaultTolerationSeconds: 5, nodeMonitorPeriodMs: 0 } };
  t.same(step(c, reconcileNode, N1, o).actions, [], 'alive: nothing');
  liveness.n1 = { state: 'dead', since: c.now };
  t.same(ops(step(c, reconcileNode, N1, o).actions), ['update Node n1']);
  t.match(c.get<Node>(N1)!.spec!.taints, [{ key: UNREACHABLE_TAINT, effect: 'NoExecute' }]);
  const r = step(c, reconcileNode, N1, o);
  t.same(ops(r.actions), ['updateStatus Node n1']);
  t.equal(r.requeueAfterMs, 2000);
  t.match(c.get<Node>(N1)!.status!.conditions, [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }]);
  c.now += 2000;
  t.same(ops(step(c, reconcileNode, N1, o).actions), ['delete Pod short']);
  c.now += 3000;
  const last = step(c, reconcileNode, N1, o);
  t.same(ops(last.actions), ['delete Pod plain']);
  t.equal(last.requeueAfterMs, undefined);
  t.same(c.list<Pod>('Pod').map((p) => p.metadata.name), ['forever']);
  t.ok(c.list('Event').some((e) => (e as unknown as { reason: string }).reason === 'Evicted'));
});

t.test('evicted pods are replaced by their ReplicaSet on other nodes', async (t) => {
  const c = new MemoryCluster();
  c.create(node('n1'));
  c.create(replicaSet('web', 2));
  step(c, reconcileReplicaSet, key('ReplicaSet', 'web'));
  for (const p of c.list<Pod>('Pod')) c.apply([{ op: 'bind', key: key('Pod', p.metadata.name), nodeName: 'n1' }]);
  const o = { liveness: { n1: { state: 'dead' as const, since: c.now } }, config: { defaultTolerationSeconds: 0 } };
  step(c, reconcileNode, N1, o);
  step(c, reconcileNode, N1, o);
  t.equal(c.list('Pod').length, 0, 'forced deletion: the dead node cannot finish a graceful stop');
  step(c, reconcileReplicaSet, key('ReplicaSet', 'web'));
  t.equal(c.list<Pod>('Pod').filter((p) => !p.spec?.nodeName).length, 2);
});

t.test('a node that left gracefully has its pods evicted at once; terminating pods there are force-deleted', async (t) => {
  const c = new MemoryCluster();
  c.create(node('n1'));
  pod(c, 'a');
  pod(c, 'b');
  c.apply([{ op: 'delete', key: key('Pod', 'b') }]);
  t.ok(c.get(key('Pod', 'b'))!.metadata.deletionTimestamp);
  const o = { liveness: { n1: { state: 'left' as const, since: c.now } } };
  step(c, reconcileNode, N1, o);
  step(c, reconcileNode, N1, o);
  t.equal(c.list('Pod').length, 0);
});

t.test('grace period before acting, suspect does nothing, and a returning node is untainted and Ready', async (t) => {
  const c = new MemoryCluster();
  c.create(node('n1'));
  const liveness: Record<string, NodeLiveness> = { n1: { state: 'suspect', since: c.now } };
  const o = { liveness, config: { nodeMonitorGracePeriodMs: 1000, nodeMonitorPeriodMs: 0 } };
  t.same(step(c, reconcileNode, N1, o).actions, []);
  liveness.n1 = { state: 'dead', since: c.now };
  t.same(step(c, reconcileNode, N1, o), { actions: [], requeueAfterMs: 1000 });
  c.now += 1000;
  step(c, reconcileNode, N1, o);
  step(c, reconcileNode, N1, o);
  liveness.n1 = { state: 'alive', since: c.now };
  t.same(ops(step(c, reconcileNode, N1, o).actions), ['update Node n1']);
  t.same(c.get<Node>(N1)!.spec!.taints, []);
  step(c, reconcileNode, N1, o);
  t.match(c.get<Node>(N1)!.status!.conditions, [{ type: 'Ready', status: 'True', reason: 'NodeReady' }]);
  t.same(step(c, reconcileNode, N1, o).actions, []);
});

t.test('no gossip information: nothing happens', async (t) => {
  const c = new MemoryCluster();
  c.create(node('n1'));
  t.same(step(c, reconcileNode, N1).actions, []);
});

t.test('liveness is polled every nodeMonitorPeriodMs, so a death is seen without a store change', async (t) => {
  const c = new MemoryCluster();
  c.create(node('n1'));
  const liveness: Record<string, NodeLiveness> = { n1: { state: 'alive', since: 0 } };
  t.same(step(c, reconcileNode, N1, { liveness, config: { nodeMonitorPeriodMs: 500 } }), { actions: [], requeueAfterMs: 500 });
  t.equal(step(c, reconcileNode, N1, { liveness, config: { nodeMonitorPeriodMs: 500, nodeMonitorGracePeriodMs: 5000 } }).requeueAfterMs, 500);
});

t.test('pods bound to a node that no longer exists are deleted', async (t) => {
  const c = new MemoryCluster();
  c.create(node('n1'));
  pod(c, 'a');
  c.apply([{ op: 'delete', key: N1 }]);
  t.same(step(c, reconcileNode, N1), { actions: [], requeueAfterMs: 40_000 }, 'a young pod may be waiting for its node to join');
  c.now += 40_000;
  t.same(ops(step(c, reconcileNode, N1).actions), ['delete Pod a']);
  t.equal(c.list('Pod').length, 0);
  t.same(step(c, reconcileNode, N1).actions, []);
});

t.test('StatefulSet pods on a dead node are evicted gracefully and stay until the node confirms', async (t) => {
  // The dead node's daemon is gone but its containers may still run: a forced
  // deletion would let the StatefulSet start the same ordinal elsewhere.
  const c = new MemoryCluster();
  c.create(node('n1'));
  const sts = c.create({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  c.create<Pod>({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'default', labels: { app: 'db' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: sts.metadata.uid!, controller: true }] },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
  });
  pod(c, 'plain');
  const o = { liveness: { n1: { state: 'dead' as const, since: c.now } }, config: { defaultTolerationSeconds: 0, nodeMonitorPeriodMs: 0 } };
  for (let i = 0; i < 4; i++) step(c, reconcileNode, N1, o);
  const db0 = c.get<Pod>(key('Pod', 'db-0'));
  t.ok(db0, 'db-0 still exists');
  t.ok(db0!.metadata.deletionTimestamp, 'and is Terminating');
  t.notOk(c.get(key('Pod', 'plain')), 'a ReplicaSet-style pod is force-evicted');
  c.now += 600_000;
  for (let i = 0; i < 2; i++) step(c, reconcileNode, N1, o);
  t.ok(c.get(key('Pod', 'db-0')), 'never force-deleted while the node is away');
});
