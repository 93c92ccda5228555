/**
 * The controllers against the real replicated state machine (@shoal/state's
 * ObjectStore): actions become log commands through commandForAction, change
 * events come from the store's watch, and the scheduling pass binds pods.
 * A 6-replica Deployment spreads 2-2-2 over three nodes; a rolling update
 * with maxUnavailable 0 is interrupted by a leader change and completes,
 * never below 6 ready, with every pod created once.
 */
import t from 'tap';
import type { Action, Deployment, KubeObject, Node, ObjectKey, Pod } from '@shoal/api';
import { ObjectStore, commandForAction } from '@shoal/state';
import { ControllerManager, controllerConfig, defaultControllers, planScheduling, type ActionErrorCode, type ActionResult, type NodeLiveness } from '../../src/index.js';
import { FakeTimers } from '../fixtures/fake-timers.js';
import { deployment, node } from '../fixtures/objects.js';

function cluster() {
  const store = new ObjectStore();
  const timers = new FakeTimers();
  let uid = 0;
  let created = 0;
  const choices = { uid: () => `uid-${++uid}`, now: () => new Date(timers.now()).toISOString(), nameSuffix: () => `s${uid}` };
  const execute = async (actions: Action[]): Promise<ActionResult[]> =>
    actions.map((a) => {
      const r = store.apply(commandForAction(a, choices));
      if (r.ok) {
        if (a.op === 'create' && a.object.kind === 'Pod') created++;
        return { ok: true };
      }
      const code = ({ Precondition: 'Conflict', Forbidden: 'Invalid' } as Record<string, ActionErrorCode>)[r.error.code] ?? (r.error.code as ActionErrorCode);
      return { ok: false, code, message: r.error.message };
    });
  const changes = {
    onChange(cb: (kind: string, key: ObjectKey, object?: KubeObject) => void): () => void {
      return store.watch({}, (e) => {
        if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
        const o = e.object as KubeObject;
        cb(o.kind, { kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name }, e.type === 'DELETED' ? undefined : o);
      });
    },
  };
  const liveness: Record<string, NodeLiveness> = {};
  const manager = (): ControllerManager =>
    new ControllerManager({
      controllers: defaultControllers(), view: () => store, changes, execute, timers,
      config: { defaultTolerationSeconds: 2, nodeMonitorPeriodMs: 200 },
      nodeLiveness: (n) => liveness[n] ?? { state: 'alive', since: 0 },
    });
  return { store, timers, execute, manager, liveness, createdPods: () => created };
}

async function settle(m: ControllerManager): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await m.idle();
    await new Promise((r) => setImmediate(r));
  }
}

t.test('Deployment on the real store: 2-2-2 spread, rolling update across a leader change', async (t) => {
  const { store, timers, execute, manager, liveness, createdPods } = cluster();
  const put = async (o: KubeObject): Promise<void> => {
    const [r] = await execute([{ op: 'create', object: o }]);
    if (!r?.ok) throw new Error(`create ${o.kind}: ${r && !r.ok ? r.message : ''}`);
  };
  for (const n of ['a', 'b', 'c']) await put(node(n));
  let ip = 1;
  const kubelet = async (): Promise<void> => {
    const pass = planScheduling(store, { now: timers.now(), config: controllerConfig() });
    await execute(pass.actions);
    for (const p of store.list<Pod>('Pod')) {
      const k = { kind: 'Pod', namespace: 'default', name: p.metadata.name };
      if (p.metadata.deletionTimestamp) await execute([{ op: 'delete', key: k, gracePeriodSeconds: 0 }]);
      else if (p.spec?.nodeName && p.status?.phase !== 'Running') {
        const ts = new Date(timers.now()).toISOString();
        await execute([{ op: 'updateStatus', object: { ...p, status: { phase: 'Running', podIP: `10.1.0.${ip++}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ts }] } } }]);
      }
    }
  };
  const ready = (): number => store.list<Pod>('Pod').filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;

  let m = manager();
  m.start();
  await put(deployment('web', 6, { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  for (let i = 0; i < 10; i++) {
    await settle(m);
    await kubelet();
    timers.advance(100);
  }
  await settle(m);
  t.equal(ready(), 6);
  t.same(['a', 'b', 'c'].map((n) => store.list<Pod>('Pod').filter((p) => p.spec?.nodeName === n).length), [2, 2, 2], 'spread 2-2-2');
  t.match(store.get<Deployment>({ kind: 'Deployment', namespace: 'default', name: 'web' })!.status, { availableReplicas: 6, updatedReplicas: 6 });

  const d = store.get<Deployment>({ kind: 'Deployment', namespace: 'default', name: 'web' })!;
  const template = structuredClone(d.spec!.template);
  template.spec.containers[0]!.image = 'busybox:2';
  await execute([{ op: 'update', object: { ...d, spec: { ...d.spec!, template } } }]);
  let minReady = Infinity;
  for (let i = 0; i < 40; i++) {
    if (i === 3) {
      await m.stop();
      m = manager();
      m.start();
    }
    await settle(m);
    minReady = Math.min(minReady, ready());
    await kubelet();
    timers.advance(100);
  }
  await settle(m);
  const pods = store.list<Pod>('Pod');
  t.equal(pods.length, 6);
  t.ok(pods.every((p) => p.spec!.containers[0]!.image === 'busybox:2'), 'rollout complete');
  t.ok(minReady >= 6, `never below 6 ready (min ${minReady})`);
  t.equal(createdPods(), 12, 'every pod created once');
  t.equal(store.list('ReplicaSet').length, 2, 'one ReplicaSet per template: defaults applied by the store do not look like a new template');
  t.equal(store.list<Node>('Node').length, 3);
  t.ok(store.list('Event').length > 0, 'events recorded');

  // Node a dies (gossip): after the 2 s toleration its pods are evicted and replaced on b and c.
  const killedAt = timers.now();
  liveness.a = { state: 'dead', since: killedAt };
  const nodeA = (): Node => store.get<Node>({ kind: 'Node', namespace: '', name: 'a' })!;
  let recoveredAfter: number | undefined;
  for (let i = 0; i < 60 && recoveredAfter === undefined; i++) {
    timers.advance(100);
    await settle(m);
    await kubelet();
    await settle(m);
    const onLive = store.list<Pod>('Pod').filter((p) => p.spec?.nodeName !== 'a' && !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (onLive.length === 6) recoveredAfter = timers.now() - killedAt;
  }
  await m.stop();
  t.ok(nodeA().spec?.taints?.some((x) => x.key === 'node.kubernetes.io/unreachable'), 'dead node tainted');
  t.match(nodeA().status?.conditions?.find((c) => c.type === 'Ready'), { status: 'Unknown' });
  t.ok(recoveredAfter !== undefined && recoveredAfter <= 3000, `6 ready on the survivors ${recoveredAfter} ms (simulated) after the death`);
  t.equal(store.list<Pod>('Pod').filter((p) => p.spec?.nodeName === 'a').length, 0);
});
