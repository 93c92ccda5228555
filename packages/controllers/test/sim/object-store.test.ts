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
import { deployment, node, statefulSet } from '../fixtures/objects.js';

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
    onChange(cb: (kind: string, key: ObjectKey, object: KubeObject | undefined, previous: KubeObject | undefined) => void): () => void {
      return store.watch({}, (e) => {
        if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
        const o = e.object as KubeObject;
        cb(o.kind, { kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name }, e.type === 'DELETED' ? undefined : o, e.type === 'DELETED' ? o : e.prev);
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

t.test('StatefulSet on the real store: a node death never leaves two pods of one ordinal; a pinned claim waits for its node; the ordinals return with it', async (t) => {
  const { store, timers, execute, manager, liveness } = cluster();
  for (const n of ['a', 'b', 'c']) await execute([{ op: 'create', object: node(n) }]);
  let ip = 1;
  const kubelet = async (): Promise<void> => {
    await execute(planScheduling(store, { now: timers.now(), config: controllerConfig() }).actions);
    for (const p of store.list<Pod>('Pod')) {
      const dead = p.spec?.nodeName && liveness[p.spec.nodeName]?.state === 'dead';
      if (dead) continue; // a dead node's agent does nothing
      const k = { kind: 'Pod', namespace: 'default', name: p.metadata.name };
      if (p.metadata.deletionTimestamp) await execute([{ op: 'delete', key: k, gracePeriodSeconds: 0 }]);
      else if (p.spec?.nodeName && p.status?.phase !== 'Running') {
        await execute([{ op: 'updateStatus', object: { ...p, status: { phase: 'Running', podIP: `10.2.0.${ip++}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(timers.now()).toISOString() }] } } }]);
      }
    }
  };
  const ordinals = (): Map<string, number> => {
    const m = new Map<string, number>();
    for (const p of store.list<Pod>('Pod')) m.set(p.metadata.name, (m.get(p.metadata.name) ?? 0) + 1);
    return m;
  };
  const m = manager();
  m.start();
  await execute([{ op: 'create', object: statefulSet('db', 3) }]);
  await execute([{ op: 'create', object: statefulSet('vol', 1, { volumeClaimTemplates: [{ metadata: { name: 'data' } }] }) }]);
  for (let i = 0; i < 15; i++) {
    await settle(m);
    await kubelet();
    timers.advance(100);
  }
  const placed = store.list<Pod>('Pod').filter((p) => p.metadata.name.startsWith('db-')).map((p) => p.spec?.nodeName);
  t.equal(placed.length, 3);
  const victim = store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'vol-0' })!.spec!.nodeName!;
  const victimDb = store.list<Pod>('Pod').filter((p) => p.metadata.name.startsWith('db-') && p.spec?.nodeName === victim).map((p) => p.metadata.name);
  liveness[victim] = { state: 'dead', since: timers.now() };
  let maxPerName = 0;
  const run = async (steps: number) => {
    for (let i = 0; i < steps; i++) {
      timers.advance(100);
      await settle(m);
      await kubelet();
      await settle(m);
      for (const n of ordinals().values()) maxPerName = Math.max(maxPerName, n);
    }
  };
  await run(60);
  // The dead node's containers may still run: its StatefulSet pods are
  // evicted gracefully and keep their ordinal until the node confirms.
  for (const name of [...victimDb, 'vol-0']) {
    const p = store.get<Pod>({ kind: 'Pod', namespace: 'default', name })!;
    t.ok(p.metadata.deletionTimestamp && p.spec?.nodeName === victim, `${name} stays Terminating on the dead node`);
  }
  // An administrator force-deletes vol-0: its replacement is pinned to the
  // node that holds its claim, so it waits, Pending with a reason.
  await execute([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: 'vol-0' }, gracePeriodSeconds: 0 }]);
  await run(20);
  const vol = store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'vol-0' })!;
  t.equal(vol.spec?.nodeName, undefined, 'the pod with a claim on the dead node stays Pending');
  const volClaim = store.get({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data-vol-0' });
  t.equal(volClaim?.metadata.annotations?.['volume.kubernetes.io/selected-node'], victim, 'the claim records its node');
  const why = store.list('Event').find((e) => (e as unknown as { reason: string; involvedObject: { name: string } }).reason === 'FailedScheduling' && (e as unknown as { involvedObject: { name: string } }).involvedObject.name === 'vol-0');
  t.match((why as unknown as { message: string } | undefined)?.message, /didn't hold the pod's volume default\/data-vol-0 \(it lives on node/);

  // The node returns: its agent stops the old containers and confirms; the
  // ordinals come back, and vol-0 goes back to its claim's node.
  liveness[victim] = { state: 'alive', since: timers.now() };
  await run(60);
  await m.stop();
  t.equal(maxPerName, 1, 'never two pods of one ordinal');
  for (const name of victimDb) {
    const p = store.get<Pod>({ kind: 'Pod', namespace: 'default', name })!;
    t.ok(p && !p.metadata.deletionTimestamp && p.status?.phase === 'Running', `${name} runs again (${p?.spec?.nodeName})`);
  }
  t.equal(store.get<Pod>({ kind: 'Pod', namespace: 'default', name: 'vol-0' })!.spec?.nodeName, victim, 'vol-0 is back on its claim\'s node');
});
