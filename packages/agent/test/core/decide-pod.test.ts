import t from 'tap';
import type { Container, Pod, PodSpec, PodStatus } from '@shoal/api';
import { specHash, LABEL_SPEC_HASH, LABEL_GRACE, type ContainerInfo, type SandboxInfo } from '@shoal/runtime';
import { decidePod, orphanPlan, restartDelayMs, DEFAULT_CORE_CONFIG, type AgentAction, type DecideInput, type ProbeResults, type WaitingReason } from '@shoal/agent';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const cfg = { ...DEFAULT_CORE_CONFIG, hostIP: '10.0.0.1' };

function pod(spec: Partial<PodSpec>, meta: Partial<Pod['metadata']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1', ...meta }, spec: { containers: [], nodeName: 'n1', ...spec } };
}
const img = 'shoal/busybox:latest';
const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: img, ...extra });

let ids = 0;
function running(ct: Container, attempt = 0, startedAt = T0): ContainerInfo {
  return { id: `c${++ids}`, pod: { uid: 'u1', namespace: 'default', name: 'p' }, name: ct.name, attempt, image: ct.image, state: 'running', oomKilled: false, createdAt: iso(startedAt), startedAt: iso(startedAt), labels: { [LABEL_SPEC_HASH]: specHash(ct) } };
}
function exited(ct: Container, attempt: number, exitCode: number, finishedAt: number, startedAt = finishedAt - 1000, oomKilled = false): ContainerInfo {
  return { ...running(ct, attempt, startedAt), state: 'exited', exitCode, finishedAt: iso(finishedAt), oomKilled };
}
const sandbox: SandboxInfo = { id: 'sb1', pod: { uid: 'u1', namespace: 'default', name: 'p' }, attempt: 0, state: 'running', ip: '172.17.0.9', labels: {}, createdAt: iso(T0) };

function decide(p: Pod, containers: ContainerInfo[], extra: Partial<DecideInput> = {}) {
  return decidePod({ pod: p, observed: { sandboxes: [sandbox], containers }, probes: new Map(), waiting: new Map(), now: T0 + 60_000, config: cfg, ...extra });
}
const types = (a: AgentAction[]) => a.map((x) => x.type === 'startContainer' ? `start ${x.container.name}#${x.attempt}` : x.type === 'killContainer' ? `kill ${x.name}:${x.reason}` : x.type);
const cond = (s: PodStatus, type: string) => s.conditions?.find((x) => x.type === type);

t.test('no sandbox yet: create one; the pod is Pending and scheduled', async (t) => {
  const d = decidePod({ pod: pod({ containers: [c('app')] }), observed: { sandboxes: [], containers: [] }, probes: new Map(), waiting: new Map(), now: T0, config: cfg });
  t.same(d.actions, [{ type: 'createSandbox', attempt: 0 }]);
  t.equal(d.status.phase, 'Pending');
  t.equal(cond(d.status, 'PodScheduled')?.status, 'True');
  t.equal(d.status.startTime, iso(T0));
  t.equal(d.status.hostIP, '10.0.0.1');
  const withInit = decidePod({ pod: pod({ initContainers: [c('i')], containers: [c('app')] }), observed: { sandboxes: [], containers: [] }, probes: new Map(), waiting: new Map(), now: T0, config: cfg });
  t.equal(cond(withInit.status, 'Initialized')?.status, 'False', 'not initialized while init containers are pending');
  t.equal(withInit.status.containerStatuses?.[0]?.state.waiting?.reason, 'PodInitializing');
});

t.test('a dead sandbox: stop what runs in it, remove it, make the next one', async (t) => {
  const app = c('app');
  const dead = { ...sandbox, state: 'exited' as const };
  const d = decidePod({ pod: pod({ containers: [app] }), observed: { sandboxes: [dead], containers: [running(app)] }, probes: new Map(), waiting: new Map(), now: T0, config: cfg });
  t.same(types(d.actions), ['kill app:SandboxChanged', 'removeSandbox', 'createSandbox']);
  t.same(d.actions.at(-1), { type: 'createSandbox', attempt: 1 });
});

t.test('init containers run one at a time, in order, before the app', async (t) => {
  const [a, b, app] = [c('a'), c('b'), c('app')];
  const p = pod({ initContainers: [a, b], containers: [app] });
  let d = decide(p, []);
  t.same(types(d.actions), ['start a#0']);
  t.equal(d.status.containerStatuses?.[0]?.state.waiting?.reason, 'PodInitializing');
  t.equal(cond(d.status, 'Initialized')?.status, 'False');
  d = decide(p, [running(a)]);
  t.same(types(d.actions), [], 'waits for a to finish');
  d = decide(p, [exited(a, 0, 0, T0)]);
  t.same(types(d.actions), ['start b#0']);
  d = decide(p, [exited(a, 0, 0, T0), exited(b, 0, 0, T0)]);
  t.same(types(d.actions), ['start app#0']);
  t.equal(cond(d.status, 'Initialized')?.status, 'True');
  t.equal(d.status.initContainerStatuses?.[1]?.state.terminated?.reason, 'Completed');
});

t.test('a failed init container restarts (OnFailure/Always) or fails the pod (Never)', async (t) => {
  const [a, app] = [c('a'), c('app')];
  let d = decide(pod({ initContainers: [a], containers: [app] }), [exited(a, 0, 1, T0)]);
  t.same(types(d.actions), ['start a#1']);
  t.equal(d.status.phase, 'Pending');
  d = decide(pod({ restartPolicy: 'Never', initContainers: [a], containers: [app] }), [exited(a, 0, 1, T0)]);
  t.same(types(d.actions), ['killSandbox'], 'nothing starts; the sandbox is released');
  t.equal(d.status.phase, 'Failed');
  t.equal(d.status.initContainerStatuses?.[0]?.state.terminated?.reason, 'Error');
});

t.test('CrashLoopBackOff: first restart at once, then 10 s doubling up to 5 min', async (t) => {
  const app = c('app');
  const p = pod({ containers: [app] });
  const fin = T0;
  let d = decide(p, [exited(app, 0, 1, fin)], { now: fin });
  t.same(types(d.actions), ['start app#1'], 'first restart is immediate');
  d = decide(p, [exited(app, 1, 1, fin), exited(app, 0, 1, fin - 5000)], { now: fin + 9_999 });
  t.same(types(d.actions), [], 'second restart waits');
  t.equal(d.wakeAt, fin + 10_000);
  const st = d.status.containerStatuses?.[0];
  t.equal(st?.state.waiting?.reason, 'CrashLoopBackOff');
  t.match(st?.state.waiting?.message, /back-off 10s restarting failed container=app pod=p/);
  t.equal(st?.lastState?.terminated?.exitCode, 1);
  t.equal(st?.restartCount, 1);
  t.equal(d.status.phase, 'Running', 'a crash-looping pod is still Running');
  d = decide(p, [exited(app, 1, 1, fin)], { now: fin + 10_000 });
  t.same(types(d.actions), ['start app#2']);
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => restartDelayMs(exited(app, attempt, 1, fin), cfg));
  t.same(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  t.equal(restartDelayMs(exited(app, 5, 1, fin, fin - 700_000), cfg), 0, 'a long run resets the back-off');
  const fast = { ...cfg, backoffBaseMs: 100, backoffMaxMs: 400 };
  t.same([1, 2, 3, 4].map((a) => restartDelayMs(exited(app, a, 1, fin), fast)), [100, 200, 400, 400], 'configurable');
});

t.test('restart policies decide what happens after an exit', async (t) => {
  const app = c('app');
  let d = decide(pod({ restartPolicy: 'OnFailure', containers: [app] }), [exited(app, 0, 0, T0)]);
  t.equal(d.status.phase, 'Succeeded');
  t.equal(d.status.containerStatuses?.[0]?.state.terminated?.reason, 'Completed');
  t.equal(cond(d.status, 'Ready')?.reason, 'PodCompleted');
  d = decide(pod({ restartPolicy: 'OnFailure', containers: [app] }), [exited(app, 0, 2, T0)]);
  t.same(types(d.actions), ['start app#1']);
  d = decide(pod({ restartPolicy: 'Never', containers: [app] }), [exited(app, 0, 137, T0, T0 - 10, true)]);
  t.equal(d.status.phase, 'Failed');
  t.equal(d.status.containerStatuses?.[0]?.state.terminated?.reason, 'OOMKilled');
  t.equal(d.status.containerStatuses?.[0]?.state.terminated?.signal, 9);
  d = decide(pod({ restartPolicy: 'Always', containers: [app] }), [exited(app, 0, 0, T0)]);
  t.same(types(d.actions), ['start app#1'], 'Always restarts even a clean exit');
});

t.test('activeDeadlineSeconds fails the pod and stops its containers', async (t) => {
  const app = c('app');
  const p = pod({ activeDeadlineSeconds: 30, containers: [app] });
  const r = running(app);
  let d = decide(p, [r], { now: T0 + 10_000, previous: { phase: 'Running', startTime: iso(T0) } });
  t.equal(d.status.phase, 'Running');
  t.equal(d.wakeAt, T0 + 30_000, 'wakes at the deadline');
  d = decide(p, [r], { now: T0 + 30_000, previous: { phase: 'Running', startTime: iso(T0) } });
  t.equal(d.status.phase, 'Failed');
  t.equal(d.status.reason, 'DeadlineExceeded');
  t.same(types(d.actions), ['kill app:PodCompleted', 'killSandbox']);
  d = decide(p, [exited(app, 0, 143, T0 + 31_000)], { now: T0 + 40_000, previous: d.status });
  t.equal(d.status.reason, 'DeadlineExceeded', 'the reason sticks');
});

t.test('a terminal phase sticks: nothing restarts afterwards', async (t) => {
  const app = c('app');
  const d = decide(pod({ restartPolicy: 'Always', containers: [app] }), [exited(app, 0, 1, T0)], { previous: { phase: 'Failed' } });
  t.equal(d.status.phase, 'Failed');
  t.notOk(d.actions.some((a) => a.type === 'startContainer'));
});

t.test('native sidecars start first, stay up, and a Job-like pod completes without them', async (t) => {
  const side = c('side', { restartPolicy: 'Always' });
  const init = c('init');
  const app = c('app');
  const p = pod({ restartPolicy: 'Never', initContainers: [side, init], containers: [app] });
  let d = decide(p, []);
  t.same(types(d.actions), ['start side#0'], 'the sidecar goes first');
  const sideRun = running(side);
  const notStarted = new Map<string, ProbeResults>([[sideRun.id, { started: false, ready: false, livenessFailed: false }]]);
  d = decide(p, [sideRun], { probes: notStarted });
  t.same(types(d.actions), [], 'a sidecar whose startup probe has not passed holds the next init container');
  d = decide(p, [sideRun]);
  t.same(types(d.actions), ['start init#0'], 'a started sidecar lets the next init container go');
  d = decide(p, [sideRun, exited(init, 0, 0, T0)]);
  t.same(types(d.actions), ['start app#0']);
  const sideExited = exited(side, 0, 1, T0);
  d = decide(p, [sideExited, exited(init, 0, 0, T0), running(app)], { now: T0 });
  t.same(types(d.actions), ['start side#1'], 'a sidecar restarts whatever the pod policy');
  d = decide(p, [sideRun, exited(init, 0, 0, T0), exited(app, 0, 0, T0)]);
  t.equal(d.status.phase, 'Succeeded', 'completes while the sidecar still runs');
  t.same(types(d.actions), ['kill side:PodCompleted', 'killSandbox'], 'then stops the sidecar and the sandbox');
});

t.test('probes: liveness failure kills, readiness drives Ready, startup gates started', async (t) => {
  const app = c('app');
  const p = pod({ containers: [app] });
  const r = running(app);
  let d = decide(p, [r], { probes: new Map([[r.id, { started: true, ready: true, livenessFailed: true }]]) });
  t.same(types(d.actions), ['kill app:LivenessProbeFailed']);
  d = decide(p, [r], { probes: new Map([[r.id, { started: true, ready: false, livenessFailed: false }]]) });
  t.equal(cond(d.status, 'Ready')?.status, 'False');
  t.equal(cond(d.status, 'ContainersReady')?.message, 'containers with unready status: [app]');
  t.equal(d.status.containerStatuses?.[0]?.ready, false);
  const prev = d.status;
  d = decide(p, [r], { probes: new Map([[r.id, { started: true, ready: true, livenessFailed: false }]]), previous: prev, now: T0 + 120_000 });
  t.equal(cond(d.status, 'Ready')?.status, 'True');
  t.equal(cond(d.status, 'Ready')?.lastTransitionTime, iso(T0 + 120_000), 'transition time is when it flipped');
  t.equal(cond(d.status, 'PodScheduled')?.lastTransitionTime, cond(prev, 'PodScheduled')?.lastTransitionTime, 'unchanged conditions keep their time');
  t.equal(d.status.startTime, prev.startTime, 'startTime sticks');
  d = decide(p, [r], { probes: new Map([[r.id, { started: false, ready: false, livenessFailed: false }]]) });
  t.equal(d.status.containerStatuses?.[0]?.started, false);
  t.equal(d.status.containerStatuses?.[0]?.ready, false);
});

t.test('running pod status: podIP from the sandbox, lastState from the previous attempt', async (t) => {
  const app = c('app');
  const d = decide(pod({ containers: [app] }), [running(app, 2), exited(app, 1, 3, T0 - 5)]);
  t.equal(d.status.phase, 'Running');
  t.equal(d.status.podIP, '172.17.0.9');
  t.same(d.status.podIPs, [{ ip: '172.17.0.9' }]);
  const st = d.status.containerStatuses?.[0];
  t.equal(st?.restartCount, 2);
  t.equal(st?.lastState?.terminated?.exitCode, 3);
  t.ok(st?.state.running?.startedAt);
  t.match(st?.containerID, /^docker:\/\/c\d+$/);
  t.equal(cond(d.status, 'Ready')?.status, 'True');
});

t.test('a hostNetwork pod reports the node address as its IP', async (t) => {
  const app = c('app');
  const d = decidePod({ pod: pod({ hostNetwork: true, containers: [app] }), observed: { sandboxes: [{ ...sandbox, ip: undefined }] as SandboxInfo[], containers: [running(app)] }, probes: new Map(), waiting: new Map(), now: T0, config: cfg });
  t.equal(d.status.podIP, '10.0.0.1');
});

t.test('housekeeping: old attempts, unknown names, stale creations, changed specs', async (t) => {
  const app = c('app');
  const old = exited(app, 0, 1, T0 - 100);
  const stray = running(c('gone'));
  let d = decide(pod({ containers: [app] }), [running(app, 2), exited(app, 1, 1, T0 - 50), old, stray]);
  t.same(types(d.actions), ['removeContainer', 'kill gone:NotInSpec', 'removeContainer']);
  t.same(d.actions[0], { type: 'removeContainer', containerId: old.id }, 'attempts older than the previous one go');
  const created = { ...running(app), state: 'created' as const };
  d = decide(pod({ containers: [app] }), [created]);
  t.same(d.actions, [{ type: 'removeContainer', containerId: created.id }]);
  const r = running(app);
  d = decide(pod({ containers: [{ ...app, image: 'shoal/echo:latest' }] }), [r]);
  t.same(types(d.actions), ['kill app:SpecChanged']);
});

t.test('a creation failure reported by the shell shows as the waiting reason', async (t) => {
  const app = c('app');
  const waiting = new Map<string, WaitingReason>([['app', { reason: 'ErrImageNeverPull', message: 'Container image "x:1" is not present with pull policy of Never' }]]);
  const d = decide(pod({ containers: [app] }), [], { waiting });
  t.equal(d.status.containerStatuses?.[0]?.state.waiting?.reason, 'ErrImageNeverPull');
  t.match(d.status.containerStatuses?.[0]?.state.waiting?.message, /x:1/);
  t.same(types(d.actions), ['start app#0'], 'and it keeps trying');
});

t.test('deletion: apps stop first, then sidecars, the sandbox; all removed; then the pod', async (t) => {
  const side = c('side', { restartPolicy: 'Always' });
  const app = c('app');
  const p = pod({ initContainers: [side], containers: [app], terminationGracePeriodSeconds: 7 }, { deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 3 });
  const d = decide(p, [running(side), running(app)]);
  t.same(types(d.actions), ['kill app:Deleted', 'kill side:DeletedAfterApps', 'killSandbox', 'removeContainer', 'removeContainer', 'removeSandbox', 'cleanupPod', 'deletePod']);
  t.equal((d.actions[0] as { graceSeconds: number }).graceSeconds, 3, 'the deletion grace period wins');
});

t.test('deletion confirmed and nothing left: a pod held by finalizers asks for nothing (no loop of deletes)', async (t) => {
  const app = c('app');
  const p = pod({ containers: [app] }, { deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 0, finalizers: ['batch.kubernetes.io/job-tracking'] });
  const empty = { observed: { sandboxes: [], containers: [] } };
  t.same(types(decide(p, [], empty).actions), [], 'confirmed, held by a finalizer');
  t.same(types(decide(p, [running(app)]).actions).slice(-2), ['cleanupPod', 'deletePod'], 'a force-deleted pod whose container still runs is stopped and confirmed');
  const graceful = pod({ containers: [app] }, { deletionTimestamp: iso(T0), deletionGracePeriodSeconds: 30 });
  t.same(types(decide(graceful, [], empty).actions), ['cleanupPod', 'deletePod'], 'not yet confirmed: confirm');
});

t.test('orphans: stop with the recorded grace, remove, clean up', async (t) => {
  const app = c('app');
  const r = { ...running(app), labels: { [LABEL_GRACE]: '4' } };
  const plans = orphanPlan(new Set(['other']), [{ ...sandbox, labels: { [LABEL_GRACE]: '4' } }], [r]);
  t.same(plans.get('u1'), [
    { type: 'killContainer', containerId: r.id, graceSeconds: 4 },
    { type: 'killSandbox', sandboxId: 'sb1', graceSeconds: 4 },
    { type: 'removeContainer', containerId: r.id },
    { type: 'removeSandbox', sandboxId: 'sb1' },
    { type: 'cleanupPod' },
  ]);
  t.equal(orphanPlan(new Set(['u1']), [sandbox], [r]).size, 0, 'desired pods are left alone');
});

t.test('deciding twice on the same view gives the same answer', async (t) => {
  const app = c('app');
  const p = pod({ containers: [app] });
  const obs = [exited(app, 1, 1, T0)];
  t.same(decide(p, obs), decide(p, obs));
});

t.test('a finished pod whose containers are gone keeps the states it reported and starts nothing', async (t) => {
  const app = c('app');
  const init = c('setup');
  const p = pod({ restartPolicy: 'Never', initContainers: [init], containers: [app] });
  const done = decide(p, [exited(init, 0, 0, T0 - 5_000), exited(app, 0, 0, T0)]);
  t.equal(done.status.phase, 'Succeeded');
  // The engine's containers and sandbox are removed (e.g. `npm run cluster -- down`), then the agent comes back.
  const after = decidePod({ pod: p, observed: { sandboxes: [], containers: [] }, probes: new Map(), waiting: new Map(), now: T0 + 120_000, config: cfg, previous: done.status });
  t.same(after.actions, [], 'nothing is created again');
  t.equal(after.status.phase, 'Succeeded');
  t.same(after.status.containerStatuses, done.status.containerStatuses, 'the app still shows how it ended');
  t.equal(after.status.containerStatuses?.[0]?.state.terminated?.reason, 'Completed', 'not ContainerCreating');
  t.same(after.status.initContainerStatuses, done.status.initContainerStatuses);
});
