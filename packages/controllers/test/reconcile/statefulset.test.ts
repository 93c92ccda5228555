import t from 'tap';
import { CLAIM_PROTECTION_FINALIZER, SELECTED_NODE_ANNOTATION, type PersistentVolumeClaim, type Pod, type StatefulSet } from '@shoal/api';
import { reconcileStatefulSet, reconcileVolumeClaim } from '../../src/index.js';
import { controllerConfig } from '../../src/index.js';
import { World } from '../fixtures/world.js';
import { statefulSet } from '../fixtures/objects.js';

const live = (p: Pod): boolean => !p.metadata.deletionTimestamp;
const names = (w: World): string[] => w.pods(live).map((p) => p.metadata.name).sort();
const image = (w: World, name: string): string | undefined => w.get<Pod>('Pod', name)?.spec?.containers[0]?.image;

function world(replicas: number, extra: Partial<StatefulSet['spec']> = {}): World {
  const w = new World({ StatefulSet: reconcileStatefulSet });
  w.c.create(statefulSet('db', replicas, extra));
  return w;
}

function run(w: World, rounds = 12, ready: (p: Pod) => boolean = () => true): void {
  for (let i = 0; i < rounds; i++) {
    w.settle();
    w.kubelet({ ready });
  }
  w.settle();
}

function setImage(w: World, img: string, extra: Partial<StatefulSet['spec']> = {}): void {
  const s = w.get<StatefulSet>('StatefulSet', 'db')!;
  const template = structuredClone(s.spec!.template);
  template.spec.containers[0]!.image = img;
  w.c.put({ ...s, spec: { ...s.spec!, template, ...extra } });
}

t.test('OrderedReady creates one ordinal at a time, each Ready before the next', async (t) => {
  const w = world(3, { volumeClaimTemplates: [{ metadata: { name: 'data' } }] });
  w.settle();
  t.same(names(w), ['db-0']);
  w.settle();
  t.same(names(w), ['db-0'], 'waits for db-0 to be Ready');
  w.kubelet({ ready: () => false });
  w.settle();
  t.same(names(w), ['db-0'], 'running but not ready: still waits');
  w.kubelet();
  w.settle();
  t.same(names(w), ['db-0', 'db-1']);
  run(w);
  t.same(names(w), ['db-0', 'db-1', 'db-2']);
  const p = w.get<Pod>('Pod', 'db-1')!;
  t.equal(p.spec!.hostname, 'db-1');
  t.equal(p.spec!.subdomain, 'db');
  t.same(p.spec!.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } }]);
  t.match(w.get<StatefulSet>('StatefulSet', 'db')!.status, { replicas: 3, readyReplicas: 3, updatedReplicas: 3 });
});

t.test('scale down removes the highest ordinal first, one at a time', async (t) => {
  const w = world(3);
  run(w);
  const s = w.get<StatefulSet>('StatefulSet', 'db')!;
  w.c.put({ ...s, spec: { ...s.spec!, replicas: 1 } });
  w.settle();
  t.same(names(w), ['db-0', 'db-1'], 'db-2 goes first');
  w.settle();
  t.same(names(w), ['db-0', 'db-1'], 'db-1 waits for db-2 to be gone');
  w.kubelet();
  w.settle();
  t.same(names(w), ['db-0']);
});

t.test('Parallel creates and deletes all at once', async (t) => {
  const w = world(3, { podManagementPolicy: 'Parallel' });
  w.settle();
  t.same(names(w), ['db-0', 'db-1', 'db-2']);
});

t.test('RollingUpdate replaces from the highest ordinal down to the partition', async (t) => {
  const w = world(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
  run(w);
  setImage(w, 'busybox:2');
  w.settle();
  t.equal(w.get<Pod>('Pod', 'db-2')!.metadata.deletionTimestamp !== undefined, true, 'db-2 first');
  t.ok(live(w.get<Pod>('Pod', 'db-1')!), 'db-1 untouched while db-2 is replaced');
  run(w);
  t.same([image(w, 'db-0'), image(w, 'db-1'), image(w, 'db-2')], ['busybox:1', 'busybox:2', 'busybox:2'], 'partition 1 keeps db-0');
  // db-0 deleted by hand comes back at the current revision (below the partition).
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: 'db-0' }, gracePeriodSeconds: 0 }]);
  run(w);
  t.equal(image(w, 'db-0'), 'busybox:1');
  const s = w.get<StatefulSet>('StatefulSet', 'db')!;
  w.c.put({ ...s, spec: { ...s.spec!, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } } });
  run(w);
  t.equal(image(w, 'db-0'), 'busybox:2');
  const st = w.get<StatefulSet>('StatefulSet', 'db')!.status!;
  t.equal(st.currentRevision, st.updateRevision, 'rollout done: current = update');
});

t.test('reverting a broken template recovers without deleting pods by hand (Kubernetes 67250)', async (t) => {
  const w = world(3);
  run(w);
  setImage(w, 'broken');
  run(w, 12, (p) => p.spec!.containers[0]!.image !== 'broken');
  t.equal(image(w, 'db-2'), 'broken');
  t.equal(image(w, 'db-1'), 'busybox:1', 'stuck: db-2 never becomes Ready');
  setImage(w, 'busybox:1');
  run(w, 12, (p) => p.spec!.containers[0]!.image !== 'broken');
  t.same([image(w, 'db-0'), image(w, 'db-1'), image(w, 'db-2')], ['busybox:1', 'busybox:1', 'busybox:1']);
  t.ok(w.pods(live).every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')));
});

t.test('OnDelete replaces pods only when the user deletes them', async (t) => {
  const w = world(2, { updateStrategy: { type: 'OnDelete' } });
  run(w);
  setImage(w, 'busybox:2');
  run(w);
  t.equal(image(w, 'db-1'), 'busybox:1');
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: 'db-1' } }]);
  run(w);
  t.equal(image(w, 'db-1'), 'busybox:2');
});

t.test('fencing: an ordinal is not recreated while a pod of that name still exists', async (t) => {
  const w = world(2, { podManagementPolicy: 'Parallel' });
  run(w);
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: 'db-1' } }]);
  for (let i = 0; i < 5; i++) w.settle();
  t.equal(w.pods().filter((p) => p.metadata.name === 'db-1').length, 1, 'only the terminating one');
  t.ok(w.get<Pod>('Pod', 'db-1')!.metadata.deletionTimestamp);
  w.c.finishAllTerminations();
  w.settle();
  t.ok(live(w.get<Pod>('Pod', 'db-1')!), 'recreated once the old one is gone');
});

const claimNames = (w: World): string[] => w.c.list<PersistentVolumeClaim>('PersistentVolumeClaim').map((c) => c.metadata.name).sort();
const claim = (w: World, name: string): PersistentVolumeClaim | undefined => w.get<PersistentVolumeClaim>('PersistentVolumeClaim', name);

function claimWorld(replicas: number, extra: Partial<StatefulSet['spec']> = {}): World {
  const w = new World({ StatefulSet: reconcileStatefulSet, PersistentVolumeClaim: reconcileVolumeClaim });
  w.c.create(statefulSet('db', replicas, {
    podManagementPolicy: 'Parallel',
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...extra,
  }));
  return w;
}

t.test('each ordinal gets its claim before its pod; the claim records the node of its first pod and turns Bound', async (t) => {
  const w = claimWorld(2);
  w.settle();
  t.same(claimNames(w), ['data-db-0', 'data-db-1']);
  const c = claim(w, 'data-db-0')!;
  t.same(c.metadata.labels, { tier: 'db', app: 'db' }, 'template labels plus the selector labels');
  t.same(c.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  t.same(c.metadata.ownerReferences, undefined, 'Retain: the claim outlives the set');
  t.same(c.metadata.finalizers, [CLAIM_PROTECTION_FINALIZER]);
  t.same(w.get<Pod>('Pod', 'db-0')!.spec!.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }]);
  w.kubelet({ node: 'n7' });
  w.settle();
  t.equal(claim(w, 'data-db-0')!.metadata.annotations?.[SELECTED_NODE_ANNOTATION], 'n7');
  t.match(claim(w, 'data-db-0')!.status, { phase: 'Bound', capacity: { storage: '1Gi' } });
  // The pod is deleted and recreated: the claim (and its node) stay.
  const uid = claim(w, 'data-db-0')!.metadata.uid;
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: 'db-0' }, gracePeriodSeconds: 0 }]);
  w.settle();
  t.ok(w.get<Pod>('Pod', 'db-0'), 'recreated');
  t.equal(claim(w, 'data-db-0')!.metadata.uid, uid, 'same claim');
});

t.test('whenScaled Retain keeps the claims of removed ordinals; whenScaled Delete deletes them once their pod is gone', async (t) => {
  for (const whenScaled of ['Retain', 'Delete'] as const) {
    const w = claimWorld(3, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled } });
    run(w);
    t.same(claimNames(w), ['data-db-0', 'data-db-1', 'data-db-2']);
    const s = w.get<StatefulSet>('StatefulSet', 'db')!;
    w.c.put({ ...s, spec: { ...s.spec!, replicas: 1 } });
    w.settle();
    t.same(claimNames(w), ['data-db-0', 'data-db-1', 'data-db-2'], `${whenScaled}: claims wait while the pods terminate`);
    run(w);
    t.same(names(w), ['db-0']);
    t.same(claimNames(w), whenScaled === 'Retain' ? ['data-db-0', 'data-db-1', 'data-db-2'] : ['data-db-0'], `${whenScaled} after the scale-down`);
    // Scaling up again: Retain finds the old claims; Delete makes new ones.
    w.c.put({ ...w.get<StatefulSet>('StatefulSet', 'db')!, spec: { ...s.spec!, replicas: 3 } });
    run(w);
    t.same(claimNames(w), ['data-db-0', 'data-db-1', 'data-db-2']);
  }
});

t.test('whenDeleted Delete makes the set an owner of its claims; changing the policy follows', async (t) => {
  const w = claimWorld(2, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
  run(w);
  const set = w.get<StatefulSet>('StatefulSet', 'db')!;
  t.match(claim(w, 'data-db-1')!.metadata.ownerReferences, [{ kind: 'StatefulSet', name: 'db', uid: set.metadata.uid, controller: false }]);
  w.c.put({ ...set, spec: { ...set.spec!, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } } });
  w.settle();
  t.same(claim(w, 'data-db-1')!.metadata.ownerReferences, [], 'Retain again: the reference is dropped');
});

t.test('a claim in use stays until its pod is gone; a claim being deleted holds its ordinal back, then comes back new', async (t) => {
  const w = claimWorld(1);
  run(w);
  const old = claim(w, 'data-db-0')!;
  w.c.apply([{ op: 'delete', key: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data-db-0' } }]);
  w.settle();
  t.ok(claim(w, 'data-db-0')?.metadata.deletionTimestamp, 'in use by a placed pod: Terminating');
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: 'db-0' }, gracePeriodSeconds: 0 }]);
  w.pass();
  t.equal(w.get<Pod>('Pod', 'db-0'), undefined, 'no pod while the claim is going');
  w.settle();
  const fresh = claim(w, 'data-db-0')!;
  t.not(fresh.metadata.uid, old.metadata.uid, 'a new claim (a new, empty volume)');
  t.notOk(fresh.metadata.deletionTimestamp);
  t.ok(w.get<Pod>('Pod', 'db-0'), 'and the pod again');
});

t.test('an unplaced pod does not keep a claim; a pod whose claim went gets a new one', async (t) => {
  const w = claimWorld(1);
  w.settle(); // claim and pod exist, the pod is not placed
  w.c.apply([{ op: 'delete', key: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data-db-0' } }]);
  const uid = w.get<Pod>('Pod', 'db-0')!.metadata.uid;
  w.settle();
  t.ok(claim(w, 'data-db-0') && !claim(w, 'data-db-0')!.metadata.deletionTimestamp, 'recreated');
  t.equal(w.get<Pod>('Pod', 'db-0')!.metadata.uid, uid, 'the pending pod stays and will use it');
});

t.test('idempotent: the same view gives the same actions', async (t) => {
  const w = world(3, { podManagementPolicy: 'Parallel' });
  w.settle();
  const snap = w.c.snapshot();
  const ctx = { now: w.c.now, config: controllerConfig({ jobBackoffBaseMs: 1, jobBackoffMaxMs: 1 }) };
  const k = { kind: 'StatefulSet', namespace: 'default', name: 'db' };
  t.same(reconcileStatefulSet(k, snap, ctx), reconcileStatefulSet(k, snap, ctx));
});

t.test('minReadySeconds: the next ordinal waits until the previous one has been Ready that long', async (t) => {
  const w = world(2, { minReadySeconds: 10 });
  w.settle();
  w.kubelet();
  w.settle();
  t.same(names(w), ['db-0'], 'ready but not yet available');
  w.c.now += 10_000;
  w.settle();
  t.same(names(w), ['db-0', 'db-1']);
});
