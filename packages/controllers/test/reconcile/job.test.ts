import t from 'tap';
import type { Job, Pod } from '@shoal/api';
import { COMPLETION_INDEX_ANNOTATION, JOB_TRACKING_FINALIZER, parseIndexes, reconcileJob, formatIndexes } from '../../src/index.js';
import { controllerConfig } from '../../src/index.js';
import { World } from '../fixtures/world.js';
import { job } from '../fixtures/objects.js';

const J = { kind: 'Job', namespace: 'default', name: 'work' };

function world(extra: Partial<Job['spec']> = {}): World {
  const w = new World({ Job: reconcileJob }, { config: { jobBackoffBaseMs: 1000, jobBackoffMaxMs: 4000 } });
  w.c.create(job('work', extra));
  return w;
}

const running = (w: World): Pod[] => w.pods((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
function finishPods(w: World, phase: 'Succeeded' | 'Failed', n = Infinity): void {
  for (const p of running(w).slice(0, n)) {
    w.c.setPodStatus({ kind: 'Pod', namespace: 'default', name: p.metadata.name }, { phase, containerStatuses: [{ name: 'main', ready: false, restartCount: 0, image: 'i', state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: new Date(w.c.now).toISOString() } } }] });
  }
}
const cond = (w: World, type: string) => w.get<Job>('Job', 'work')!.status?.conditions?.find((c) => c.type === type);

t.test('completions with parallelism: at most 2 at a time, Complete after 3 successes', async (t) => {
  const w = world({ completions: 3, parallelism: 2 });
  w.settle();
  t.equal(running(w).length, 2);
  finishPods(w, 'Succeeded', 1);
  w.settle();
  t.equal(running(w).length, 2, 'one more started');
  finishPods(w, 'Succeeded');
  w.settle();
  t.equal(running(w).length, 0);
  t.match(cond(w, 'Complete'), { status: 'True', reason: 'CompletionsReached' });
  t.match(w.get<Job>('Job', 'work')!.status, { succeeded: 3, failed: 0, active: 0 });
  t.ok(w.get<Job>('Job', 'work')!.status!.completionTime);
});

t.test('backoffLimit with exponential back-off, then Failed', async (t) => {
  const w = world({ backoffLimit: 2 });
  w.settle();
  finishPods(w, 'Failed');
  const r = reconcileJob(J, w.c.snapshot(), { now: w.c.now, config: controllerConfig({ jobBackoffBaseMs: 1000, jobBackoffMaxMs: 4000 }) });
  t.equal(r.requeueAfterMs, 1000, 'first retry after 1 s');
  w.settle();
  t.equal(running(w).length, 0, 'waits');
  w.c.now += 1000;
  w.settle();
  t.equal(running(w).length, 1);
  finishPods(w, 'Failed');
  w.c.now += 1000;
  w.settle();
  t.equal(running(w).length, 0, 'second retry waits 2 s');
  w.c.now += 1000;
  w.settle();
  t.equal(running(w).length, 1);
  finishPods(w, 'Failed');
  w.settle();
  t.match(cond(w, 'Failed'), { status: 'True', reason: 'BackoffLimitExceeded' });
  t.equal(w.get<Job>('Job', 'work')!.status!.failed, 3);
});

t.test('activeDeadlineSeconds fails the job and stops its pods', async (t) => {
  const w = world({ activeDeadlineSeconds: 10, parallelism: 2, completions: 4 });
  w.settle();
  w.kubelet();
  w.c.now += 10_000;
  w.settle();
  t.match(cond(w, 'Failed'), { reason: 'DeadlineExceeded' });
  t.equal(running(w).length, 0);
});

t.test('Indexed: 5 completions, parallelism 2, every index done once, index in env and annotation', async (t) => {
  const w = world({ completionMode: 'Indexed', completions: 5, parallelism: 2 });
  const seen: number[] = [];
  for (let i = 0; i < 10; i++) {
    w.settle();
    t.ok(running(w).length <= 2);
    const [p] = running(w);
    if (!p) break;
    const idx = Number(p.metadata.annotations![COMPLETION_INDEX_ANNOTATION]);
    t.same(p.spec!.containers[0]!.env, [{ name: 'JOB_COMPLETION_INDEX', value: String(idx) }]);
    t.equal(p.spec!.hostname, `work-${idx}`);
    seen.push(idx);
    // Index 3 fails once first, and is retried under a new name.
    const phase = idx === 3 && !seen.slice(0, -1).includes(3) ? 'Failed' : 'Succeeded';
    w.c.setPodStatus({ kind: 'Pod', namespace: 'default', name: p.metadata.name }, { phase });
    if (phase === 'Failed') w.c.now += 1000;
  }
  t.match(cond(w, 'Complete'), { status: 'True' });
  const st = w.get<Job>('Job', 'work')!.status!;
  t.equal(st.completedIndexes, '0-4');
  t.equal(st.succeeded, 5);
  t.same(w.pods((p) => p.status?.phase === 'Succeeded').map((p) => Number(p.metadata.annotations![COMPLETION_INDEX_ANNOTATION])).sort(), [0, 1, 2, 3, 4]);
});

t.test('without completions: done when one pod succeeds and the rest have finished', async (t) => {
  const w = world({ parallelism: 2 });
  w.settle();
  finishPods(w, 'Succeeded', 1);
  w.settle();
  t.equal(cond(w, 'Complete'), undefined);
  t.equal(running(w).length, 1, 'no new pod after a success');
  finishPods(w, 'Succeeded');
  w.settle();
  t.match(cond(w, 'Complete'), { status: 'True' });
});

t.test('ttlSecondsAfterFinished deletes the finished job', async (t) => {
  const w = world({ ttlSecondsAfterFinished: 30 });
  w.settle();
  finishPods(w, 'Succeeded');
  w.settle();
  t.ok(w.get('Job', 'work'));
  w.c.now += 30_000;
  w.settle();
  t.equal(w.get('Job', 'work'), undefined);
});

t.test('suspend stops pods; resume starts them', async (t) => {
  const w = world({ parallelism: 1, completions: 1 });
  w.settle();
  const j = w.get<Job>('Job', 'work')!;
  w.c.put({ ...j, spec: { ...j.spec!, suspend: true } });
  w.settle();
  w.c.finishAllTerminations();
  t.equal(running(w).length, 0);
  t.match(cond(w, 'Suspended'), { status: 'True' });
  const j2 = w.get<Job>('Job', 'work')!;
  w.c.put({ ...j2, spec: { ...j2.spec!, suspend: false } });
  w.settle();
  t.equal(running(w).length, 1);
});

t.test('index sets format and parse', async (t) => {
  t.equal(formatIndexes([7, 1, 3, 4, 5]), '1,3-5,7');
  t.same([...parseIndexes('1,3-5,7')], [1, 3, 4, 5, 7]);
  t.equal(formatIndexes([]), '');
});

t.test('tracking: each pod carries the finalizer until counted; a counted success deleted later is not run again', async (t) => {
  const w = world({ completions: 3, parallelism: 1 });
  w.settle();
  const first = running(w)[0]!;
  t.same(first.metadata.finalizers, [JOB_TRACKING_FINALIZER], 'created tracked');
  w.kubelet();
  finishPods(w, 'Succeeded');
  w.settle();
  const counted = w.get<Pod>('Pod', first.metadata.name)!;
  t.same(counted.metadata.finalizers ?? [], [], 'counted: the finalizer is gone');
  t.match(w.get<Job>('Job', 'work')!.status, { succeeded: 1 });
  // The record of the success goes (a user, a lost node): the count stays and nothing re-runs.
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: first.metadata.name } }]);
  w.c.finishAllTerminations();
  t.equal(w.get<Pod>('Pod', first.metadata.name), undefined);
  w.settle();
  t.match(w.get<Job>('Job', 'work')!.status, { succeeded: 1 });
  let created = 1;
  for (let i = 0; i < 5 && !cond(w, 'Complete'); i++) {
    created += running(w).length;
    finishPods(w, 'Succeeded');
    w.settle();
  }
  t.equal(created, 3, 'three pods in all for three completions');
  t.match(w.get<Job>('Job', 'work')!.status, { succeeded: 3 });
  t.same(w.pods().flatMap((p) => p.metadata.finalizers ?? []), [], 'no pod left tracked');
});

t.test('tracking, Indexed: a completed index whose pod is deleted stays completed', async (t) => {
  const w = world({ completions: 2, parallelism: 1, completionMode: 'Indexed' });
  w.settle();
  const p0 = running(w)[0]!;
  finishPods(w, 'Succeeded');
  w.settle();
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: p0.metadata.name }, gracePeriodSeconds: 0 }]);
  w.settle();
  t.same(running(w).map((p) => p.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION]), ['1'], 'index 1 next, index 0 not again');
  finishPods(w, 'Succeeded');
  w.settle();
  t.match(w.get<Job>('Job', 'work')!.status, { succeeded: 2, completedIndexes: '0-1' });
  t.match(cond(w, 'Complete'), { status: 'True' });
});

t.test('tracking: a running pod deleted by someone else counts as a failure; pods deleted by suspend do not', async (t) => {
  const w = world({ backoffLimit: 1, parallelism: 1 });
  w.settle();
  w.kubelet();
  const victim = running(w)[0]!;
  w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: victim.metadata.name }, gracePeriodSeconds: 0 }]);
  t.ok(w.get<Pod>('Pod', victim.metadata.name), 'kept by its finalizer until counted');
  w.settle();
  t.equal(w.get<Pod>('Pod', victim.metadata.name), undefined, 'counted, then gone');
  t.match(w.get<Job>('Job', 'work')!.status, { failed: 1 });
  // Suspend: the controller's own deletions are not failures.
  w.c.now += 10_000;
  w.settle();
  t.equal(running(w).length, 1, 'replaced');
  const j = w.get<Job>('Job', 'work')!;
  w.c.put({ ...j, spec: { ...j.spec!, suspend: true } });
  w.settle();
  w.c.finishAllTerminations();
  w.settle();
  t.equal(running(w).length, 0);
  t.match(w.get<Job>('Job', 'work')!.status, { failed: 1 });
  t.notOk(cond(w, 'Failed'), 'not failed: the limit counts real failures only');
});

t.test('tracking: the pods of a deleted Job lose the finalizer and go', async (t) => {
  const w = world({ parallelism: 2, completions: 4 });
  w.settle();
  w.kubelet();
  t.equal(running(w).length, 2);
  w.c.apply([{ op: 'delete', key: J }]);
  // The garbage collector would delete the pods; here the test does.
  for (const p of w.pods()) w.c.apply([{ op: 'delete', key: { kind: 'Pod', namespace: 'default', name: p.metadata.name }, gracePeriodSeconds: 0 }]);
  t.equal(w.pods().length, 2, 'held by the finalizer');
  const r = reconcileJob(J, w.c.snapshot(), { now: w.c.now, config: controllerConfig() });
  w.c.apply(r.actions);
  t.equal(w.pods().length, 0, 'released although the Job is gone');
});
