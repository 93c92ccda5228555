import t from 'tap';
import fc from 'fast-check';
import type { Node, Pod } from '@shoal/api';
import { nodeAllocatable, podRequests, schedule, Scheduler } from '../src/index.js';
import { fakeNode, fakePod } from './harness.js';

const nodeArb = fc.record({
  cpu: fc.integer({ min: 0, max: 4000 }),
  memMi: fc.integer({ min: 0, max: 4096 }),
  pods: fc.integer({ min: 0, max: 6 }),
  zone: fc.constantFrom('z1', 'z2', 'z3'),
  taint: fc.option(fc.constantFrom('NoSchedule', 'NoExecute', 'PreferNoSchedule') as fc.Arbitrary<'NoSchedule' | 'NoExecute' | 'PreferNoSchedule'>),
  unschedulable: fc.boolean(),
  ready: fc.boolean(),
});

const podArb = fc.record({
  cpu: fc.integer({ min: 0, max: 1500 }),
  memMi: fc.integer({ min: 0, max: 1500 }),
  zone: fc.option(fc.constantFrom('z1', 'z2', 'z3')),
  tolerate: fc.boolean(),
  hostPort: fc.option(fc.constantFrom(80, 443)),
  app: fc.constantFrom('a', 'b'),
  anti: fc.boolean(),
  spread: fc.boolean(),
});

type NodeCase = typeof nodeArb extends fc.Arbitrary<infer T> ? T : never;
type PodCase = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

function build(nodes: NodeCase[], pods: PodCase[]): { nodes: Node[]; pods: Pod[] } {
  return {
    nodes: nodes.map((n, i) =>
      fakeNode(`n${i}`, {
        cpu: `${n.cpu}m`, memory: `${n.memMi}Mi`, pods: n.pods, labels: { zone: n.zone },
        taints: n.taint ? [{ key: 'k', value: 'v', effect: n.taint }] : undefined,
        unschedulable: n.unschedulable, ready: n.ready,
      })),
    pods: pods.map((p, i) => {
      const pod = fakePod(`p${i}`, { cpu: p.cpu ? `${p.cpu}m` : undefined, memory: p.memMi ? `${p.memMi}Mi` : undefined, hostPort: p.hostPort ?? undefined, labels: { app: p.app } });
      pod.spec = {
        ...pod.spec!,
        nodeSelector: p.zone ? { zone: p.zone } : undefined,
        tolerations: p.tolerate ? [{ key: 'k', operator: 'Exists' }] : undefined,
        affinity: p.anti ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: p.app } } }] } } : undefined,
        topologySpreadConstraints: p.spread ? [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: p.app } } }] : undefined,
      };
      return pod;
    }),
  };
}

const cases = fc.tuple(fc.array(nodeArb, { minLength: 0, maxLength: 6 }), fc.array(podArb, { maxLength: 25 }), fc.constantFrom('LeastAllocated', 'MostAllocated') as fc.Arbitrary<'LeastAllocated' | 'MostAllocated'>);

t.test('never overcommits a node', async (t) => {
  fc.assert(fc.property(cases, ([ns, ps, scoring]) => {
    const { nodes, pods } = build(ns, ps);
    const r = schedule({ nodes, pods: [] }, pods, { scoring });
    for (const node of nodes) {
      const a = nodeAllocatable(node);
      const on = r.bindings.filter((b) => b.nodeName === node.metadata.name).map((b) => pods.find((p) => p.metadata.uid === b.uid)!);
      const cpu = on.reduce((s, p) => s + podRequests(p).cpu, 0);
      const mem = on.reduce((s, p) => s + podRequests(p).memory, 0);
      if (on.length > a.pods) return false;
      if (cpu > a.cpu && on.some((p) => podRequests(p).cpu > 0)) return false;
      if (mem > a.memory && on.some((p) => podRequests(p).memory > 0)) return false;
    }
    return r.bindings.length + r.failures.length === pods.length;
  }));
  t.pass('checked');
});

t.test('every binding passes every filter at the moment it is made', async (t) => {
  fc.assert(fc.property(cases, ([ns, ps, scoring]) => {
    const { nodes, pods } = build(ns, ps);
    const r = schedule({ nodes, pods: [] }, pods, { scoring });
    const replay = new Scheduler({ nodes, pods: [] });
    for (const b of r.bindings) {
      const pod = pods.find((p) => p.metadata.uid === b.uid)!;
      if (replay.check(pod, b.nodeName, true).length) return false;
    }
    return true;
  }));
  t.pass('checked');
});

t.test('a pod that failed fits no node afterwards either (nothing frees up in a batch)', async (t) => {
  fc.assert(fc.property(cases, ([ns, ps, scoring]) => {
    const { nodes, pods } = build(ns, ps);
    const r = schedule({ nodes, pods: [] }, pods, { scoring });
    const bound = pods.map((p) => {
      const b = r.bindings.find((x) => x.uid === p.metadata.uid);
      return b ? { ...p, spec: { ...p.spec!, nodeName: b.nodeName } } : p;
    });
    const after = new Scheduler({ nodes, pods: bound });
    for (const f of r.failures) {
      const pod = pods.find((p) => p.metadata.uid === f.uid)!;
      if (nodes.some((n) => after.check(pod, n.metadata.name).length === 0)) return false;
      if (!f.message.startsWith(`0/${nodes.length} nodes are available: `)) return false;
    }
    return true;
  }));
  t.pass('checked');
});

t.test('deterministic: same input, same bindings, whatever the input order', async (t) => {
  fc.assert(fc.property(cases, ([ns, ps, scoring]) => {
    const { nodes, pods } = build(ns, ps);
    const a = schedule({ nodes, pods: [] }, pods, { scoring });
    const b = schedule({ nodes: [...nodes].reverse(), pods: [] }, [...pods].reverse(), { scoring });
    const key = (r: typeof a): string => JSON.stringify([...r.bindings].sort((x, y) => (x.uid < y.uid ? -1 : 1)));
    return key(a) === key(b);
  }));
  t.pass('checked');
});

t.test('oracle: a node running a pod with hostname anti-affinity for app X runs no other app-X pod', async (t) => {
  fc.assert(fc.property(cases, ([ns, ps, scoring]) => {
    const { nodes, pods } = build(ns, ps);
    const r = schedule({ nodes, pods: [] }, pods, { scoring });
    const byNode = new Map<string, Pod[]>();
    for (const b of r.bindings) byNode.set(b.nodeName, [...(byNode.get(b.nodeName) ?? []), pods.find((p) => p.metadata.uid === b.uid)!]);
    for (const onNode of byNode.values()) {
      for (const p of onNode) {
        if (!p.spec?.affinity?.podAntiAffinity) continue;
        const app = p.metadata.labels!.app;
        if (onNode.filter((q) => q.metadata.labels!.app === app).length > 1) return false;
      }
    }
    return true;
  }), { numRuns: 300 });
  t.pass('checked');
});
