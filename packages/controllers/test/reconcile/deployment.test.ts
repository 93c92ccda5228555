import t from 'tap';
import fc from 'fast-check';
import type { Deployment, Pod, ReplicaSet } from '@shoal/api';
import { HASH_LABEL, reconcileDeployment, reconcileReplicaSet, restartDeployment, rollbackTo, REVISION_ANNOTATION, RevisionNotFoundError } from '../../src/index.js';
import { controllerConfig } from '../../src/index.js';
import { World } from '../fixtures/world.js';
import { deployment } from '../fixtures/objects.js';

const controllers = { Deployment: reconcileDeployment, ReplicaSet: reconcileReplicaSet };

function setImage(w: World, image: string, extra: Partial<Deployment['spec']> = {}): void {
  const d = w.get<Deployment>('Deployment', 'web')!;
  const template = structuredClone(d.spec!.template);
  template.spec.containers[0]!.image = image;
  w.c.put({ ...d, spec: { ...d.spec!, template, ...extra } });
}

const sets = (w: World): ReplicaSet[] => w.c.list<ReplicaSet>('ReplicaSet');
const live = (p: Pod): boolean => !p.metadata.deletionTimestamp;
const ready = (p: Pod): boolean => live(p) && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
const cond = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);

function started(replicas: number, extra: Partial<Deployment['spec']> = {}): World {
  const w = new World(controllers);
  w.c.create(deployment('web', replicas, extra));
  for (let i = 0; i < 5; i++) {
    w.settle();
    w.kubelet();
  }
  w.settle();
  return w;
}

t.test('a new Deployment gets one hashed ReplicaSet at revision 1 and becomes available', async (t) => {
  const w = started(3);
  const [rs] = sets(w);
  t.equal(sets(w).length, 1);
  t.equal(rs!.metadata.name, `web-${rs!.metadata.labels![HASH_LABEL]}`);
  t.equal(rs!.metadata.annotations![REVISION_ANNOTATION], '1');
  t.same(rs!.spec!.selector.matchLabels, { app: 'web', [HASH_LABEL]: rs!.metadata.labels![HASH_LABEL] });
  const d = w.get<Deployment>('Deployment', 'web')!;
  t.equal(d.metadata.annotations![REVISION_ANNOTATION], '1');
  t.match(d.status, { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
  t.match(cond(d, 'Available'), { status: 'True', reason: 'MinimumReplicasAvailable' });
  t.match(cond(d, 'Progressing'), { status: 'True', reason: 'NewReplicaSetAvailable' });
  t.equal(w.pods(live).length, 3);
});

t.test('rolling update with maxSurge 1, maxUnavailable 0 never drops below 3 ready nor above 4 pods', async (t) => {
  const w = started(3, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  setImage(w, 'busybox:2');
  for (let i = 0; i < 30; i++) {
    w.pass();
    t.ok(w.pods(ready).length >= 3, 'ready >= 3');
    t.ok(sets(w).reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0) <= 4, 'replicas <= 4');
    w.kubelet();
  }
  const d = w.get<Deployment>('Deployment', 'web')!;
  t.equal(sets(w).length, 2);
  t.same(sets(w).map((rs) => rs.spec!.replicas).sort(), [0, 3]);
  t.equal(w.pods(live).length, 3);
  t.ok(w.pods(live).every((p) => p.spec!.containers[0]!.image === 'busybox:2'));
  t.equal(d.metadata.annotations![REVISION_ANNOTATION], '2');
  t.match(cond(d, 'Progressing'), { reason: 'NewReplicaSetAvailable' });
});

t.test('percentages: maxSurge rounds up, maxUnavailable rounds down', async (t) => {
  const w = started(10, { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
  setImage(w, 'busybox:2');
  w.pass();
  const byRev = (r: string) => sets(w).find((rs) => rs.metadata.annotations?.[REVISION_ANNOTATION] === r)!;
  // 25% of 10: surge ceil(2.5) = 3, unavailable floor(2.5) = 2.
  t.equal(byRev('2').spec!.replicas, 3);
  for (let i = 0; i < 4; i++) {
    w.pass();
    t.ok(byRev('1').spec!.replicas! >= 8, 'never below replicas - maxUnavailable');
  }
  t.equal(byRev('1').spec!.replicas, 8);
});

t.test('Recreate removes every old pod before starting new ones', async (t) => {
  const w = started(2, { strategy: { type: 'Recreate' } });
  setImage(w, 'busybox:2');
  for (let i = 0; i < 4; i++) w.pass();
  t.equal(w.pods((p) => p.spec!.containers[0]!.image === 'busybox:2').length, 0, 'no new pod while old ones terminate');
  t.ok(w.pods(live).length === 0);
  w.kubelet();
  w.settle();
  w.kubelet();
  w.settle();
  t.equal(w.pods(live).filter((p) => p.spec!.containers[0]!.image === 'busybox:2').length, 2);
});

t.test('progressDeadlineSeconds: no progress turns Progressing False with ProgressDeadlineExceeded', async (t) => {
  const w = started(2, { progressDeadlineSeconds: 30, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  setImage(w, 'broken');
  w.settle();
  w.kubelet({ ready: () => false });
  w.settle();
  const r = reconcileDeployment({ kind: 'Deployment', namespace: 'default', name: 'web' }, w.c.snapshot(), { now: w.c.now, config: controllerConfig({ jobBackoffBaseMs: 1, jobBackoffMaxMs: 1 }) });
  t.ok(r.requeueAfterMs! > 0 && r.requeueAfterMs! <= 30_000, 'requeues for the deadline');
  w.c.now += 31_000;
  w.settle();
  const d = w.get<Deployment>('Deployment', 'web')!;
  t.match(cond(d, 'Progressing'), { status: 'False', reason: 'ProgressDeadlineExceeded' });
  t.ok(w.c.list('Event').some((e) => (e as unknown as { reason: string }).reason === 'ProgressDeadlineExceeded'));
  t.equal(w.pods(ready).length, 2, 'old pods still serve');
});

t.test('revisionHistoryLimit keeps only that many old sets', async (t) => {
  const w = started(1, { revisionHistoryLimit: 1 });
  for (const img of ['b:2', 'b:3', 'b:4']) {
    setImage(w, img);
    for (let i = 0; i < 6; i++) {
      w.settle();
      w.kubelet();
    }
  }
  w.settle();
  t.same(sets(w).map((rs) => rs.metadata.annotations![REVISION_ANNOTATION]).sort(), ['3', '4']);
});

t.test('paused: template changes wait; resume rolls out', async (t) => {
  const w = started(2);
  setImage(w, 'busybox:2', { paused: true });
  w.settle();
  t.equal(sets(w).length, 1);
  t.match(cond(w.get<Deployment>('Deployment', 'web')!, 'Progressing'), { status: 'Unknown', reason: 'DeploymentPaused' });
  const d = w.get<Deployment>('Deployment', 'web')!;
  w.c.put({ ...d, spec: { ...d.spec!, paused: false } });
  for (let i = 0; i < 8; i++) {
    w.settle();
    w.kubelet();
  }
  t.equal(sets(w).length, 2);
  t.ok(w.pods(live).every((p) => p.spec!.containers[0]!.image === 'busybox:2'));
});

t.test('rollback reuses the old ReplicaSet as the newest revision; restart makes a new one', async (t) => {
  const w = started(2);
  setImage(w, 'busybox:2');
  for (let i = 0; i < 8; i++) {
    w.settle();
    w.kubelet();
  }
  const d = w.get<Deployment>('Deployment', 'web')!;
  t.throws(() => rollbackTo(d, 7, w.c.snapshot()), RevisionNotFoundError);
  w.c.apply([rollbackTo(d, 0, w.c.snapshot())]);
  for (let i = 0; i < 8; i++) {
    w.settle();
    w.kubelet();
  }
  t.equal(sets(w).length, 2, 'no third set');
  const current = sets(w).find((rs) => rs.spec!.replicas === 2)!;
  t.equal(current.metadata.annotations![REVISION_ANNOTATION], '3');
  t.ok(w.pods(live).every((p) => p.spec!.containers[0]!.image === 'busybox:1'));
  w.c.apply([restartDeployment(w.get<Deployment>('Deployment', 'web')!, w.c.now)]);
  for (let i = 0; i < 8; i++) {
    w.settle();
    w.kubelet();
  }
  t.equal(sets(w).length, 3);
  t.equal(w.get<Deployment>('Deployment', 'web')!.metadata.annotations![REVISION_ANNOTATION], '4');
});

t.test('scaling follows replicas', async (t) => {
  const w = started(2);
  const d = w.get<Deployment>('Deployment', 'web')!;
  w.c.put({ ...d, spec: { ...d.spec!, replicas: 5 } });
  w.settle();
  t.equal(w.pods(live).length, 5);
});

t.test('property: a rolling update stays within maxSurge and maxUnavailable at every step and completes', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    (replicas, surgeIn, unavailIn, coin, slow) => {
      const maxSurge = surgeIn;
      const maxUnavailable = surgeIn === 0 && unavailIn === 0 ? 1 : unavailIn;
      const w = started(replicas, { strategy: { rollingUpdate: { maxSurge, maxUnavailable } } });
      setImage(w, 'busybox:2');
      const dep = new World({ Deployment: reconcileDeployment });
      const rsc = new World({ ReplicaSet: reconcileReplicaSet });
      Object.assign(dep, { c: w.c });
      Object.assign(rsc, { c: w.c });
      for (let i = 0; i < 40; i++) {
        dep.pass();
        // A slow ReplicaSet controller: the Deployment may act again before the sets' status catches up.
        if (!slow[i]) rsc.pass();
        const total = sets(w).reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
        if (total > replicas + maxSurge) return false;
        if (w.pods(ready).length < replicas - maxUnavailable) return false;
        // Readiness comes at random times; terminations finish at once.
        if (coin[i]) w.kubelet();
        else w.kubelet({ ready: () => false });
      }
      for (let i = 0; i < 20; i++) {
        w.settle();
        w.kubelet();
      }
      return w.pods(live).length === replicas && w.pods(live).every((p) => p.spec!.containers[0]!.image === 'busybox:2');
    }), { numRuns: 60 });
  t.pass('invariants held');
});

t.test('scaling in the middle of a rollout resizes both sets in proportion and stays within bounds', async (t) => {
  const w = started(10, { strategy: { rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } });
  setImage(w, 'busybox:2');
  for (let i = 0; i < 3; i++) w.pass();
  const before = sets(w).map((rs) => rs.spec!.replicas!);
  t.ok(before.every((n) => n > 0), `both sets active (${before})`);
  const d = w.get<Deployment>('Deployment', 'web')!;
  w.c.put({ ...d, spec: { ...d.spec!, replicas: 20 } });
  w.pass();
  const after = sets(w).map((rs) => rs.spec!.replicas!);
  t.equal(after.reduce((a, b) => a + b, 0), 23, 'total = replicas + maxSurge');
  t.ok(after.every((n, i) => n > before[i]!), `each set grew (${before} -> ${after})`);
  for (let i = 0; i < 30; i++) {
    w.pass();
    t.ok(sets(w).reduce((s, rs) => s + rs.spec!.replicas!, 0) <= 23);
    w.kubelet();
  }
  t.equal(w.pods(live).length, 20);
  t.ok(w.pods(live).every((p) => p.spec!.containers[0]!.image === 'busybox:2'));
});
