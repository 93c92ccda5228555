import t from 'tap';
import { checkBinding, checkBindings, schedule } from '../src/index.js';
import { fakeNode, fakePod, Harness } from './harness.js';

t.test('requests must fit allocatable; a batch does not overcommit', async (t) => {
  const h = new Harness().addNode(fakeNode('a', { cpu: '1', memory: '1Gi' }));
  for (let i = 0; i < 3; i++) h.addPod(fakePod(`p${i}`, { cpu: '400m', memory: '100Mi' }));
  const r = h.run();
  t.equal(r.bindings.length, 2);
  t.equal(r.failures.length, 1);
  t.equal(r.failures[0]!.message, '0/1 nodes are available: 1 Insufficient cpu.');
});

t.test('failure message counts reasons per node class, sorted', async (t) => {
  const h = new Harness()
    .addNode(fakeNode('a', { memory: '100Mi' }))
    .addNode(fakeNode('b', { memory: '100Mi' }))
    .addNode(fakeNode('c', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }))
    .addPod(fakePod('p', { memory: '1Gi' }));
  const r = h.run();
  t.same(r.failures[0]!.message, '0/3 nodes are available: 2 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}.');
});

t.test('pod count limit', async (t) => {
  const h = new Harness().addNode(fakeNode('a', { pods: 1 })).addPod(fakePod('x', { nodeName: 'a' })).addPod(fakePod('y'));
  t.match(h.run().failures[0]!.message, /1 Too many pods/);
});

t.test('terminal pods free their resources', async (t) => {
  const done = fakePod('done', { nodeName: 'a', cpu: '1' });
  done.status = { phase: 'Succeeded' };
  const h = new Harness().addNode(fakeNode('a', { cpu: '1' })).addPod(done).addPod(fakePod('new', { cpu: '1' }));
  t.equal(h.run().bindings.length, 1);
});

t.test('hostPort conflicts', async (t) => {
  const h = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b'));
  h.addPod(fakePod('p1', { hostPort: 8080 })).addPod(fakePod('p2', { hostPort: 8080 })).addPod(fakePod('p3', { hostPort: 8080 }));
  const r = h.run();
  t.equal(r.bindings.length, 2);
  t.not(r.bindings[0]!.nodeName, r.bindings[1]!.nodeName);
  t.equal(r.failures[0]!.message, "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports.");
});

t.test('nodeSelector and required node affinity', async (t) => {
  const h = new Harness().addNode(fakeNode('a', { labels: { disk: 'ssd', zone: 'z1' } })).addNode(fakeNode('b', { labels: { disk: 'hdd', zone: 'z2' } }));
  h.addPod(fakePod('sel', { spec: { nodeSelector: { disk: 'hdd' } } }));
  h.addPod(fakePod('aff', {
    spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } } },
  }));
  h.addPod(fakePod('none', { spec: { nodeSelector: { disk: 'nvme' } } }));
  const r = h.run();
  t.same(h.placement(), { sel: 'b', aff: 'a', none: undefined });
  t.equal(r.failures[0]!.message, "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.");
});

t.test('matchFields on metadata.name pins a pod (DaemonSet style)', async (t) => {
  const h = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b'));
  h.addPod(fakePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } } } }));
  h.run();
  t.equal(h.placement().p, 'b');
});

t.test('taints: NoSchedule and NoExecute filter, tolerations admit', async (t) => {
  const h = new Harness()
    .addNode(fakeNode('a', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }))
    .addNode(fakeNode('b', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }));
  h.addPod(fakePod('plain'));
  h.addPod(fakePod('tol', { spec: { tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] } }));
  h.addPod(fakePod('all', { spec: { tolerations: [{ operator: 'Exists' }], nodeSelector: { 'kubernetes.io/hostname': 'b' } } }));
  const r = h.run();
  t.same(h.placement(), { plain: undefined, tol: 'a', all: 'b' });
  t.equal(r.failures[0]!.message, '0/2 nodes are available: 1 node(s) had untolerated taint {k: v}, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.');
});

t.test('PreferNoSchedule is only a score', async (t) => {
  const h = new Harness().addNode(fakeNode('a', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })).addNode(fakeNode('b'));
  h.addPod(fakePod('p'));
  h.run();
  t.equal(h.placement().p, 'b');
  const only = new Harness().addNode(fakeNode('a', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })).addPod(fakePod('p'));
  only.run();
  t.equal(only.placement().p, 'a');
});

t.test('cordoned and not-ready nodes are skipped', async (t) => {
  const h = new Harness().addNode(fakeNode('a', { unschedulable: true })).addNode(fakeNode('b', { ready: false })).addPod(fakePod('p'));
  t.equal(h.run().failures[0]!.message, '0/2 nodes are available: 1 node(s) were not ready, 1 node(s) were unschedulable.');
});

t.test('pod anti-affinity by hostname spreads, and is symmetric', async (t) => {
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } }] } };
  const h = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b'));
  for (let i = 0; i < 3; i++) h.addPod(fakePod(`db${i}`, { labels: { app: 'db' }, spec: { affinity: anti } }));
  const r = h.run();
  t.equal(r.bindings.length, 2);
  t.not(r.bindings[0]!.nodeName, r.bindings[1]!.nodeName);
  t.match(r.failures[0]!.message, /2 node\(s\) didn't satisfy existing pods anti-affinity rules/);
  // A plain pod labelled app=db is kept off by the existing pods' anti-affinity.
  const h2 = new Harness().addNode(fakeNode('a')).addPod(fakePod('x', { nodeName: 'a', labels: { app: 'db' }, spec: { affinity: anti } })).addPod(fakePod('y', { labels: { app: 'db' } }));
  t.match(h2.run().failures[0]!.message, /existing pods anti-affinity/);
});

t.test('required pod affinity by zone, with the first pod of a group allowed', async (t) => {
  const aff = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }] } };
  const h = new Harness().addNode(fakeNode('a', { labels: { zone: 'z1' } })).addNode(fakeNode('b', { labels: { zone: 'z2' } })).addNode(fakeNode('c', { labels: { zone: 'z2' } }));
  h.addPod(fakePod('cache', { labels: { app: 'cache' }, spec: { affinity: aff } }));
  t.match(h.run().failures[0]!.message, /3 node\(s\) didn't match pod affinity rules/);
  h.addPod(fakePod('web', { nodeName: 'b', labels: { app: 'web' } }));
  h.run();
  t.match(h.placement().cache, /^[bc]$/);
  const self = new Harness().addNode(fakeNode('a', { labels: { zone: 'z1' } })).addPod(fakePod('w', { labels: { app: 'web' }, spec: { affinity: aff } }));
  self.run();
  t.equal(self.placement().w, 'a');
});

t.test('topologySpreadConstraints DoNotSchedule keeps skew', async (t) => {
  const spread = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'w' } } }];
  const h = new Harness()
    .addNode(fakeNode('a', { labels: { zone: 'z1' } }))
    .addNode(fakeNode('b', { labels: { zone: 'z2' } }))
    .addNode(fakeNode('c', { labels: { zone: 'z2' }, cpu: '100' }));
  for (let i = 0; i < 6; i++) h.addPod(fakePod(`w${i}`, { labels: { app: 'w' }, spec: { topologySpreadConstraints: spread } }));
  h.run();
  const z1 = h.podsOn('a').length;
  const z2 = h.podsOn('b').length + h.podsOn('c').length;
  t.equal(z1, 3);
  t.equal(z2, 3);
});

t.test('a pod with a volume goes back to the volume node, or stays pending with the reason', async (t) => {
  const h = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b', { volumes: ['default/data-db-0'] }));
  h.addPod(fakePod('db-0', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }] } }));
  h.addNode(fakeNode('c', { volumes: ['shoal-pv-default-data-db-1'] }));
  h.addPod(fakePod('db-1', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } }] } }));
  h.run();
  t.equal(h.placement()['db-0'], 'b');
  t.equal(h.placement()['db-1'], 'c', 'the Docker volume name the agent reports works too');
  const gone = new Harness().addNode(fakeNode('a')).addPod(fakePod('db-1', { annotations: { 'shoal.io/volume-node': 'dead' } }));
  t.equal(gone.run().failures[0]!.message, "0/1 nodes are available: 1 node(s) didn't hold the pod's volumes (they live on node dead).");
});

t.test('claims: the selected node pins the pod; a missing or terminating claim keeps it pending; a new claim follows its first pod', async (t) => {
  const vol = (claim: string) => ({ spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } });
  const h = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b')).addNode(fakeNode('c'));
  h.addClaim('pinned', { node: 'c' }).addClaim('going', { node: 'a', terminating: true }).addClaim('shared');
  h.addPod(fakePod('p-pinned', vol('pinned'))).addPod(fakePod('p-missing', vol('nothing'))).addPod(fakePod('p-going', vol('going')));
  for (let i = 0; i < 3; i++) h.addPod(fakePod(`s${i}`, { ...vol('shared'), owner: 'rs' }));
  const r = h.run();
  t.equal(h.placement()['p-pinned'], 'c');
  const why = Object.fromEntries(r.failures.map((f) => [f.name, f.message]));
  t.equal(why['p-missing'], '0/3 nodes are available: persistentvolumeclaim "nothing" not found.');
  t.equal(why['p-going'], '0/3 nodes are available: persistentvolumeclaim "going" is being deleted.');
  const shared = new Set(['s0', 's1', 's2'].map((n) => h.placement()[n]));
  t.equal(shared.size, 1, 'pods sharing an unplaced claim land together even though spreading would split them');
  const dead = new Harness().addNode(fakeNode('a')).addClaim('data-db-1', { node: 'dead' }).addPod(fakePod('db-1', vol('data-db-1')));
  t.equal(dead.run().failures[0]!.message, "0/1 nodes are available: 1 node(s) didn't hold the pod's volume default/data-db-1 (it lives on node dead).");
});

t.test('default spreading puts 6 replicas 2-2-2', async (t) => {
  const h = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b')).addNode(fakeNode('c'));
  for (let i = 0; i < 6; i++) h.addPod(fakePod(`r${i}`, { owner: 'rs' }));
  h.run();
  t.same(['a', 'b', 'c'].map((n) => h.podsOn(n).length), [2, 2, 2]);
});

t.test('MostAllocated bin-packs, LeastAllocated spreads', async (t) => {
  const pack = new Harness({ scoring: 'MostAllocated' }).addNode(fakeNode('a')).addNode(fakeNode('b'));
  for (let i = 0; i < 4; i++) pack.addPod(fakePod(`p${i}`, { cpu: '500m', memory: '1Gi' }));
  pack.run();
  t.same([pack.podsOn('a').length, pack.podsOn('b').length].sort(), [0, 4]);
  const spread = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b'));
  for (let i = 0; i < 4; i++) spread.addPod(fakePod(`p${i}`, { cpu: '500m', memory: '1Gi' }));
  spread.run();
  t.same([spread.podsOn('a').length, spread.podsOn('b').length], [2, 2]);
});

t.test('preferred node affinity wins over spreading', async (t) => {
  const h = new Harness().addNode(fakeNode('a', { labels: { gpu: 'yes' } })).addNode(fakeNode('b'));
  h.addPod(fakePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }] } } } }));
  h.run();
  t.equal(h.placement().p, 'a');
});

t.test('preferred pod affinity draws pods together', async (t) => {
  const h = new Harness().addNode(fakeNode('a')).addNode(fakeNode('b')).addPod(fakePod('db', { nodeName: 'b', labels: { app: 'db' } }));
  h.addPod(fakePod('web', { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } } }] } } } }));
  h.run();
  t.equal(h.placement().web, 'b');
});

t.test('checkBinding re-checks against the latest state', async (t) => {
  const node = fakeNode('a', { cpu: '1' });
  const p = fakePod('p', { cpu: '600m' });
  t.same(checkBinding({ nodes: [node], pods: [p] }, p, 'a'), { ok: true });
  const other = fakePod('o', { cpu: '600m', nodeName: 'a' });
  t.same(checkBinding({ nodes: [node], pods: [p, other] }, p, 'a'), { ok: false, reasons: ['Insufficient cpu'] });
  t.same(checkBinding({ nodes: [node], pods: [] }, p, 'zz'), { ok: false, reasons: ['node zz not found'] });
});

t.test('no nodes', async (t) => {
  t.equal(schedule({ nodes: [], pods: [] }, [fakePod('p')]).failures[0]!.message, '0/0 nodes are available: no nodes in the cluster.');
});

t.test('checkBindings re-checks a batch, counting earlier accepted bindings', async (t) => {
  const node = fakeNode('a', { cpu: '1' });
  const p1 = fakePod('p1', { cpu: '600m' });
  const p2 = fakePod('p2', { cpu: '600m' });
  const byUid = new Map([p1, p2].map((p) => [p.metadata.uid!, p]));
  const b = (p: typeof p1) => ({ namespace: 'default', name: p.metadata.name, uid: p.metadata.uid!, nodeName: 'a' });
  const r = checkBindings({ nodes: [node], pods: [p1, p2] }, [b(p1), b(p2)], byUid);
  t.same(r.accepted.map((x) => x.name), ['p1']);
  t.same(r.refused.map((x) => [x.binding.name, x.reasons]), [['p2', ['Insufficient cpu']]]);
});
