import t from 'tap';
import type { Action, Pod, ReplicaSet } from '@shoal/api';
import { ControllerManager, defaultControllers, isBenign, type ActionResult, type Controller } from '../../src/index.js';
import { FakeTimers } from '../fixtures/fake-timers.js';
import { MemoryCluster } from '../fixtures/memory-cluster.js';
import { replicaSet, service } from '../fixtures/objects.js';

function setup(controllers: Controller[] = defaultControllers(), execute?: (a: Action[]) => Promise<ActionResult[]>) {
  const c = new MemoryCluster();
  const timers = new FakeTimers();
  const m = new ControllerManager({
    controllers,
    view: () => c.snapshot(),
    changes: { onChange: (cb) => c.onChange(cb) },
    execute: execute ?? (async (actions) => c.apply(actions)),
    timers,
    concurrency: 2,
  });
  return { c, timers, m };
}

async function settle(m: ControllerManager): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await m.idle();
    await new Promise((r) => setImmediate(r));
  }
}

t.test('on start every existing object is reconciled; owned changes wake the owner', async (t) => {
  const { c, m } = setup();
  c.create(replicaSet('web', 2));
  m.start();
  await settle(m);
  t.equal(c.list('Pod').length, 2, 'resumed from state alone');
  const [p] = c.list<Pod>('Pod');
  c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: p!.metadata.name }, gracePeriodSeconds: 0 }]);
  await settle(m);
  t.equal(c.list('Pod').length, 2, 'vanished pod replaced');
  await m.stop();
});

t.test('pod changes wake services (endpoints) and deletions wake the garbage collector', async (t) => {
  const { c, m } = setup();
  m.start();
  c.create(service('web', { app: 'web' }, [{ port: 80 }]));
  c.create(replicaSet('web', 1));
  await settle(m);
  const [p] = c.list<Pod>('Pod');
  c.makeReady({ kind: 'Pod', namespace: 'default', name: p!.metadata.name }, '10.9.9.9');
  await settle(m);
  t.match(c.get({ kind: 'Endpoints', namespace: 'default', name: 'web' }), { subsets: [{ addresses: [{ ip: '10.9.9.9' }] }] });
  c.apply([{ op: 'delete', key: { kind: 'ReplicaSet', namespace: 'default', name: 'web' } }]);
  await settle(m);
  t.equal(c.list('Pod').filter((x) => !x.metadata.deletionTimestamp).length, 0, 'dependents collected');
  await m.stop();
});

t.test('refused actions are retried with back-off; benign refusals are not', async (t) => {
  let calls = 0;
  const { c, m, timers } = setup([{ name: 'replicaset', kind: 'ReplicaSet', reconcile: defaultControllers()[1]!.reconcile, owns: ['Pod'] }], async (actions) => {
    calls++;
    if (calls <= 2) return actions.map(() => ({ ok: false, code: 'Unavailable', message: 'no leader' }) as ActionResult);
    return c.apply(actions);
  });
  c.create(replicaSet('web', 1));
  m.start();
  await settle(m);
  t.equal(c.list('Pod').length, 0);
  timers.advance(5);
  await settle(m);
  timers.advance(10);
  await settle(m);
  t.equal(c.list('Pod').length, 1);
  t.equal(c.get<ReplicaSet>({ kind: 'ReplicaSet', namespace: 'default', name: 'web' })!.status?.replicas !== undefined, true);
  await m.stop();
});

t.test('requeueAfter comes back on the clock; a throwing reconciler is retried', async (t) => {
  const seen: number[] = [];
  let throws = 1;
  const { c, m, timers } = setup([{
    name: 'probe', kind: 'ConfigMap', reconcile: (_k, _v, ctx) => {
      seen.push(ctx.now);
      if (throws-- > 0) throw new Error('boom');
      return { actions: [], requeueAfterMs: 1000 };
    },
  }]);
  c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } } as never);
  m.start();
  await settle(m);
  timers.advance(5);
  await settle(m);
  timers.advance(1000);
  await settle(m);
  t.equal(seen.length, 3);
  t.equal(seen[2]! - seen[1]!, 1000);
  await m.stop();
  timers.advance(5000);
  t.equal(seen.length, 3, 'stopped: no more work');
});

t.test('duplicate controller names and bad concurrency are refused', async (t) => {
  const c = new MemoryCluster();
  const base = { view: () => c, changes: { onChange: () => () => {} }, execute: async () => [] };
  t.throws(() => new ControllerManager({ ...base, controllers: [...defaultControllers(), defaultControllers()[0]!] }), /duplicate/);
  t.throws(() => new ControllerManager({ ...base, controllers: [], concurrency: 0 }), /concurrency/);
});

t.test('benign refusals: existing deterministic names, deletes of gone objects, any event', async (t) => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } };
  const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' } };
  const k = { kind: 'Pod', namespace: 'default', name: 'p' };
  t.ok(isBenign({ op: 'create', object: pod }, { ok: false, code: 'AlreadyExists', message: '' }));
  t.ok(isBenign({ op: 'delete', key: k }, { ok: false, code: 'NotFound', message: '' }));
  t.ok(isBenign({ op: 'create', object: ev }, { ok: false, code: 'Invalid', message: '' }));
  t.notOk(isBenign({ op: 'create', object: pod }, { ok: false, code: 'Invalid', message: '' }));
  t.notOk(isBenign({ op: 'update', object: pod }, { ok: false, code: 'Conflict', message: '' }));
});

t.test('a controller reconciles only the objects it selects, at start and on change', async (t) => {
  const seen: string[] = [];
  const spy: Controller = {
    name: 'spy', kind: '*',
    reconcile: (key) => {
      seen.push(`${key.kind}/${key.name}`);
      return { actions: [] };
    },
    selects: (o) => (o.metadata.labels ?? {})['watched'] === 'yes',
  };
  const { c, m } = setup([spy]);
  c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'default' }, data: {} } as never);
  c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'picked', namespace: 'default', labels: { watched: 'yes' } }, data: {} } as never);
  m.start();
  await settle(m);
  t.same(seen.filter((s) => s.startsWith('ConfigMap/')), ['ConfigMap/picked'], 'at start');
  seen.length = 0;
  c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain-2', namespace: 'default' }, data: {} } as never);
  c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'picked-2', namespace: 'default', labels: { watched: 'yes' } }, data: {} } as never);
  await settle(m);
  t.same(seen, ['ConfigMap/picked-2'], 'on change');
  await m.stop();
});

t.test('the garbage collector selects owned, terminating and Event objects only', async (t) => {
  const gc = defaultControllers().find((c) => c.name === 'garbage-collector')!;
  const meta = (extra: Record<string, unknown> = {}) => ({ name: 'x', namespace: 'default', ...extra });
  t.equal(gc.selects?.({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta() }), false);
  t.equal(gc.selects?.({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u' }] }) }), true);
  t.equal(gc.selects?.({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['orphan'] }) }), true);
  t.equal(gc.selects?.({ apiVersion: 'v1', kind: 'Event', metadata: meta() }), true);
});

t.test('a change maps through the object before it: a relabelled pod leaves the endpoints it was in', async (t) => {
  const { c, m } = setup();
  c.create(service('web', { app: 'web' }, [{ port: 80 }]));
  const p = c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n1' } } as Pod);
  const key = { kind: 'Pod', namespace: 'default', name: 'p' };
  c.makeReady(key, '10.9.9.9');
  // Started after the pod existed: only the change feed can tell it what the pod was.
  m.start();
  await settle(m);
  t.match(c.get({ kind: 'Endpoints', namespace: 'default', name: 'web' }), { subsets: [{ addresses: [{ ip: '10.9.9.9' }] }] });
  const now = c.get<Pod>(key)!;
  c.apply([{ op: 'update', object: { ...now, metadata: { ...now.metadata, labels: { app: 'db' } } } }]);
  await settle(m);
  const ep = c.get<{ subsets?: Array<{ addresses?: unknown[] }> } & Pod>({ kind: 'Endpoints', namespace: 'default', name: 'web' });
  t.same((ep?.subsets ?? []).flatMap((s) => s.addresses ?? []), [], 'the pod no longer backs web');
  t.ok(p);
  await m.stop();
});
