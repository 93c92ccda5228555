import t from 'tap';
import type { DaemonSet, Node, Pod } from '@shoal/api';
import { reconcileDaemonSet, targetNode } from '../../src/index.js';
import { World } from '../fixtures/world.js';
import { daemonSet, node } from '../fixtures/objects.js';

const live = (p: Pod): boolean => !p.metadata.deletionTimestamp;
const placement = (w: World): string[] => w.pods(live).map((p) => targetNode(p)!).sort();

function kubelet(w: World, ready: (p: Pod) => boolean = () => true): void {
  for (const p of w.pods((x) => live(x) && !x.spec?.nodeName)) w.c.apply([{ op: 'bind', key: { kind: 'Pod', namespace: 'default', name: p.metadata.name }, nodeName: targetNode(p)! }]);
  for (const p of w.pods((x) => live(x) && x.status?.phase !== 'Running')) if (ready(p)) w.c.makeReady({ kind: 'Pod', namespace: 'default', name: p.metadata.name });
  w.c.finishAllTerminations();
}

function world(extra: Partial<DaemonSet['spec']> = {}): World {
  const w = new World({ DaemonSet: reconcileDaemonSet });
  w.c.create(node('n1', { disk: 'ssd' }));
  w.c.create(node('n2', { disk: 'ssd' }));
  w.c.create({ ...node('n3'), spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
  w.c.create(daemonSet('agent', extra));
  return w;
}

t.test('one pod per eligible node, pinned by node affinity, with daemon tolerations', async (t) => {
  const w = world();
  w.settle();
  t.same(placement(w), ['n1', 'n2'], 'tainted n3 is not eligible');
  const p = w.pods()[0]!;
  t.match(p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!.matchFields, [{ key: 'metadata.name', operator: 'In' }]);
  t.ok(p.spec!.tolerations!.some((x) => x.key === 'node.kubernetes.io/not-ready'));
  kubelet(w);
  w.settle();
  t.match(w.get<DaemonSet>('DaemonSet', 'agent')!.status, { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberMisscheduled: 0 });
});

t.test('follows nodes that join and leave, and nodeSelector changes', async (t) => {
  const w = world({});
  w.settle();
  w.c.create(node('n4'));
  w.settle();
  t.same(placement(w), ['n1', 'n2', 'n4']);
  w.c.apply([{ op: 'delete', key: { kind: 'Node', namespace: '', name: 'n1' } }]);
  w.settle();
  t.same(placement(w), ['n2', 'n4']);
  const ds = w.get<DaemonSet>('DaemonSet', 'agent')!;
  const template = structuredClone(ds.spec!.template);
  template.spec.nodeSelector = { disk: 'ssd' };
  w.c.put({ ...ds, spec: { ...ds.spec!, template } });
  kubelet(w);
  w.settle();
  kubelet(w);
  w.settle();
  t.same(placement(w), ['n2']);
});

t.test('tolerating a taint makes the node eligible; a tainted node loses its pod', async (t) => {
  const w = world({});
  const ds = w.get<DaemonSet>('DaemonSet', 'agent')!;
  const template = structuredClone(ds.spec!.template);
  template.spec.tolerations = [{ key: 'dedicated', operator: 'Exists' }];
  w.c.put({ ...ds, spec: { ...ds.spec!, template } });
  w.settle();
  t.same(placement(w), ['n1', 'n2', 'n3']);
  const n1 = w.get<Node>('Node', 'n1', '')!;
  w.c.put({ ...n1, spec: { taints: [{ key: 'gpu', effect: 'NoExecute' }] } });
  w.settle();
  t.same(placement(w), ['n2', 'n3']);
});

t.test('RollingUpdate keeps at most maxUnavailable nodes without an available pod', async (t) => {
  const w = world({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } });
  w.c.create(node('n4'));
  w.settle();
  kubelet(w);
  w.settle();
  const ds = w.get<DaemonSet>('DaemonSet', 'agent')!;
  const template = structuredClone(ds.spec!.template);
  template.spec.containers[0]!.image = 'busybox:2';
  w.c.put({ ...ds, spec: { ...ds.spec!, template } });
  for (let i = 0; i < 12; i++) {
    w.pass();
    const availableNodes = new Set(w.pods((p) => live(p) && p.status?.phase === 'Running').map((p) => targetNode(p)));
    t.ok(availableNodes.size >= 2, `step ${i}: at most 1 of 3 nodes unavailable`);
    kubelet(w);
  }
  w.settle();
  t.ok(w.pods(live).every((p) => p.spec!.containers[0]!.image === 'busybox:2'));
  t.equal(w.pods(live).length, 3);
});

t.test('OnDelete leaves old pods alone', async (t) => {
  const w = world({ updateStrategy: { type: 'OnDelete' } });
  w.settle();
  kubelet(w);
  const ds = w.get<DaemonSet>('DaemonSet', 'agent')!;
  const template = structuredClone(ds.spec!.template);
  template.spec.containers[0]!.image = 'busybox:2';
  w.c.put({ ...ds, spec: { ...ds.spec!, template } });
  w.settle();
  t.ok(w.pods(live).every((p) => p.spec!.containers[0]!.image === 'busybox:1'));
});

t.test('a node declared dead (unreachable taint) loses its daemon pod, which returns with the node', async (t) => {
  const w = world();
  w.settle();
  kubelet(w);
  const n1 = w.get<Node>('Node', 'n1', '')!;
  w.c.put({ ...n1, spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } });
  w.settle();
  t.same(placement(w), ['n2']);
  w.c.finishAllTerminations();
  const back = w.get<Node>('Node', 'n1', '')!;
  w.c.put({ ...back, spec: { taints: [] } });
  w.settle();
  t.same(placement(w), ['n1', 'n2']);
});
