// The Agent shell on FakeRuntime: real timers with short intervals.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConfigMap, PersistentVolumeClaim, Secret } from '@shoal/api';
import { FakeEngine, type FakeProgram } from '@shoal/runtime';
import { Agent, MemoryAgentSink, MemoryAgentSource, AgentConfigError, ContainerNotChosenError, NoPreviousInstanceError, type AgentOptions } from '@shoal/agent';
import { cond, history, makePod, statusWhere } from '../harness.js';

interface World {
  engine: FakeEngine;
  source: MemoryAgentSource;
  sink: MemoryAgentSink;
  opts: AgentOptions;
  agent: Agent;
}

async function world(t: Tap.Test, program?: (name: string, attempt: number) => FakeProgram, extra: Partial<AgentOptions> = {}): Promise<World> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'shoal-agent-unit-'));
  const engine = new FakeEngine({ program: (spec) => program?.(spec.name, spec.attempt) ?? {} });
  const source = new MemoryAgentSource();
  const sink = new MemoryAgentSink(source);
  const opts: AgentOptions = {
    nodeName: 'n1', runtime: engine.runtime('n1'), source, sink, dataDir, hostIP: '192.168.1.5',
    backoffBaseMs: 100, backoffMaxMs: 400, resyncMs: 200, statusBatchMs: 20, nodeStatusMs: 200, ...extra,
  };
  const w: World = { engine, source, sink, opts, agent: new Agent(opts) };
  t.teardown(async () => {
    await w.agent.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  await w.agent.start();
  return w;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Tap { type Test = Parameters<Parameters<typeof t.test>[1]>[0] }
}

const busybox = 'shoal/busybox:latest';

t.test('options are validated', async (t) => {
  const engine = new FakeEngine();
  const base = { nodeName: 'n1', runtime: engine.runtime('n1'), source: new MemoryAgentSource(), sink: new MemoryAgentSink(), dataDir: '/tmp/x' };
  t.throws(() => new Agent({ ...base, runtime: engine.runtime('n2') }), AgentConfigError, 'runtime of another node');
  t.throws(() => new Agent({ ...base, backoffBaseMs: 0 }), AgentConfigError);
  t.throws(() => new Agent({ ...base, dataDir: '' }), AgentConfigError);
});

t.test('pods bound here run; others are left alone; statuses travel in batches', async (t) => {
  const w = await world(t);
  const a = makePod('a', 'n1', { containers: [{ name: 'app', image: busybox }] });
  const b = makePod('b', 'n1', { containers: [{ name: 'app', image: busybox }] });
  const other = makePod('c', 'n2', { containers: [{ name: 'app', image: busybox }] });
  w.source.put(a);
  w.source.put(b);
  w.source.put(other);
  await statusWhere(w.sink, a, 'a running', (s) => s.phase === 'Running' && cond(s, 'Ready') === 'True');
  await statusWhere(w.sink, b, 'b running', (s) => s.phase === 'Running' && cond(s, 'Ready') === 'True');
  t.notOk(w.engine.calls.some((c) => c.includes(' c/') || c === 'createSandbox c'), 'nothing started for a pod of another node');
  t.ok(w.sink.batches.some((batch) => batch.length === 2), 'two pods reported in one batch');
  const count = w.sink.batches.length;
  await new Promise((r) => setTimeout(r, 500));
  await w.agent.idle();
  t.equal(w.sink.batches.length, count, 'an unchanged status is not sent again');
  const node = w.sink.nodeStatuses.at(-1)!;
  t.equal(node.capacity?.cpu, '4');
  t.equal(node.capacity?.pods, '110');
  t.equal(node.conditions?.[0]?.status, 'True');
  t.same(node.addresses, [{ type: 'InternalIP', address: '192.168.1.5' }, { type: 'Hostname', address: 'n1' }]);
  await w.sink.waitFor('another node report', () => w.sink.nodeStatuses.length >= 2);
  const reports = w.sink.nodeStatuses.map((s) => JSON.stringify(s));
  t.equal(reports.at(-1), reports.at(-2), 'an unchanged node reports an identical status (no heartbeat timestamps)');
});

t.test('env from values, ConfigMaps, Secrets, the downward API and the service hook; volumes written', async (t) => {
  const w = await world(t, undefined, {
    hooks: { serviceEnv: () => [{ name: 'WEB_SERVICE_HOST', value: '10.0.0.11' }], dns: () => ({ nameservers: ['10.0.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] }) },
  });
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { mode: 'fast', 'app.conf': 'x=1\n' } };
  const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { password: Buffer.from('hunter2').toString('base64') } };
  w.source.put(cm);
  w.source.put(secret);
  w.source.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-0', namespace: 'default', uid: 'c1' }, spec: {} } as PersistentVolumeClaim);
  const p = makePod('env', 'n1', {
    volumes: [{ name: 'conf', configMap: { name: 'cfg' } }, { name: 'data', persistentVolumeClaim: { claimName: 'data-0' } }, { name: 'scratch', emptyDir: {} }],
    containers: [{
      name: 'app', image: busybox, command: ['run', '$(MODE)'], args: ['--pass', '$(PASS)'], workingDir: '/srv',
      resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } },
      env: [
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'GREETING', value: 'mode=$(MODE)' },
      ],
      volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'data', mountPath: '/data' }, { name: 'scratch', mountPath: '/tmp/s' }],
    }],
  });
  w.source.put(p);
  const st = await statusWhere(w.sink, p, 'running', (s) => s.phase === 'Running');
  const rec = [...w.engine.records.values()].find((r) => r.spec?.name === 'app')!;
  const env = rec.spec!.env;
  for (const want of ['WEB_SERVICE_HOST=10.0.0.11', 'MODE=fast', 'PASS=hunter2', 'POD=env', `IP=${st.podIP}`, 'NODE=n1', 'HOST=192.168.1.5', 'GREETING=mode=fast']) t.ok(env.includes(want), want);
  t.same(rec.spec!.entrypoint, ['run', 'fast'], 'command replaces ENTRYPOINT, $(VAR) expanded');
  t.same(rec.spec!.cmd, ['--pass', 'hunter2'], 'args replace CMD');
  t.equal(rec.spec!.workingDir, '/srv');
  t.same(rec.spec!.resources, { nanoCpus: 500_000_000, cpuShares: 256, memoryBytes: 64 * 2 ** 20, memoryReservationBytes: 64 * 2 ** 20 });
  const conf = rec.spec!.mounts.find((m) => m.target === '/etc/app');
  t.same(conf && { type: conf.type, ro: 'readOnly' in conf && conf.readOnly }, { type: 'bind', ro: true }, 'configMap bind-mounted read-only');
  t.equal(await readFile(path.join((conf as { source: string }).source, 'app.conf'), 'utf8'), 'x=1\n', 'configMap file written');
  t.same(rec.spec!.mounts.find((m) => m.target === '/data'), { type: 'volume', source: 'shoal-pv-default-data-0-c1', target: '/data', readOnly: false }, 'the claim\'s volume, named with its uid');
  t.ok(w.engine.volumes.has(`shoal-ed-${p.metadata.uid}-scratch`), 'emptyDir volume created');
  t.same(w.sink.nodeStatuses.length > 0, true);
  await new Promise((r) => setTimeout(r, 300));
  t.same(w.sink.nodeStatuses.at(-1)?.volumes, ['default/data-0'], 'the node reports its claims\' volumes');
});

t.test('claim volumes: a missing claim makes the pod wait; the volume goes once its claim is gone, never from an older view', async (t) => {
  const w = await world(t);
  const claim = (uid: string): PersistentVolumeClaim => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', uid }, spec: {} });
  const p = makePod('db', 'n1', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }], containers: [{ name: 'app', image: 'shoal/busybox:latest', volumeMounts: [{ name: 'd', mountPath: '/d' }] }] });
  w.source.put(p);
  await w.agent.idle();
  t.equal(w.engine.volumes.size, 0, 'no volume without its claim');
  w.source.put(claim('u1'));
  await statusWhere(w.sink, p, 'running once the claim exists', (s) => s.phase === 'Running');
  t.ok(w.engine.volumes.has('shoal-pv-default-data-u1'));
  // The pod goes, then its claim: the volume is removed.
  w.source.remove('Pod', 'default', 'db');
  await w.agent.idle();
  t.ok(w.engine.volumes.has('shoal-pv-default-data-u1'), 'kept while the claim exists (Retain)');
  w.source.remove('PersistentVolumeClaim', 'default', 'data');
  await w.agent.syncNow();
  await w.agent.idle();
  t.notOk(w.engine.volumes.has('shoal-pv-default-data-u1'), 'removed with its claim');
  // A volume made at a revision newer than the view (a replica catching up after a restart) stays.
  await w.opts.runtime.createVolume('shoal-pv-default-data-u9', { labels: { 'io.shoal.volume-kind': 'pv', 'io.shoal.claim-name': 'data', 'io.shoal.claim-uid': 'u9', 'io.shoal.claim-revision': String(w.source.revision + 1000) } });
  w.source.put(claim('u2'));
  await w.agent.syncNow();
  await w.agent.idle();
  t.ok(w.engine.volumes.has('shoal-pv-default-data-u9'), 'not removed from a view older than the volume');
});

t.test('a missing Secret key or image gives a waiting reason, not a crash', async (t) => {
  const w = await world(t);
  const p = makePod('bad', 'n1', { containers: [
    { name: 'noimg', image: 'shoal/nope:1', imagePullPolicy: 'Never' },
    { name: 'nokey', image: busybox, env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } } }] },
  ] });
  w.source.put(p);
  const st = await statusWhere(w.sink, p, 'waiting reasons', (s) => s.containerStatuses?.every((c) => c.state.waiting?.reason?.startsWith('Err') || c.state.waiting?.reason === 'CreateContainerConfigError') ?? false);
  t.equal(st.containerStatuses?.[0]?.state.waiting?.reason, 'ErrImageNeverPull');
  t.match(st.containerStatuses?.[0]?.state.waiting?.message, /shoal\/nope:1.*pull policy of Never/);
  t.equal(st.containerStatuses?.[1]?.state.waiting?.reason, 'CreateContainerConfigError');
  t.equal(st.phase, 'Pending');
  w.engine.images.add('shoal/nope:1');
  await statusWhere(w.sink, p, 'image appeared', (s) => s.containerStatuses?.[0]?.state.running !== undefined);
  t.pass('starts once the image is there');
});

t.test('crash loop: restarts with growing back-off, CrashLoopBackOff reported', async (t) => {
  const w = await world(t, () => ({ exitCode: 1 }));
  const p = makePod('crash', 'n1', { containers: [{ name: 'app', image: busybox }] });
  w.source.put(p);
  const st = await statusWhere(w.sink, p, 'three restarts', (s) => (s.containerStatuses?.[0]?.restartCount ?? 0) >= 3, 10_000);
  t.equal(st.containerStatuses?.[0]?.lastState?.terminated?.reason, 'Error');
  t.ok(history(w.sink, p).some((s) => s.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff'));
  const starts = w.engine.calls.filter((c) => c.startsWith('startContainer crash/app'));
  t.same(starts.slice(0, 4), ['startContainer crash/app#0', 'startContainer crash/app#1', 'startContainer crash/app#2', 'startContainer crash/app#3']);
  const kept = [...w.engine.records.values()].filter((r) => r.labels['io.shoal.pod-name'] === 'crash' && r.labels['io.shoal.role'] === 'container');
  t.ok(kept.length <= 3, `old attempts are removed (${kept.length} kept)`);
});

t.test('probes: exec liveness failure restarts; readiness follows exec results', async (t) => {
  let healthy = true;
  let ready = false;
  const w = await world(t, undefined, { probeTimeScale: 0.05 });
  w.engine.execHandler = (_c, cmd) => ({ stdout: '', stderr: '', exitCode: cmd[0] === 'live' ? (healthy ? 0 : 1) : ready ? 0 : 1 });
  const p = makePod('probed', 'n1', { containers: [{
    name: 'app', image: busybox,
    livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1, failureThreshold: 2 },
    readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 },
  }] });
  w.source.put(p);
  let st = await statusWhere(w.sink, p, 'running, not ready', (s) => s.containerStatuses?.[0]?.state.running !== undefined);
  t.equal(cond(st, 'Ready'), 'False');
  ready = true;
  st = await statusWhere(w.sink, p, 'ready', (s) => cond(s, 'Ready') === 'True');
  t.equal(st.containerStatuses?.[0]?.ready, true);
  ready = false;
  await statusWhere(w.sink, p, 'unready', (s) => cond(s, 'Ready') === 'False');
  healthy = false;
  st = await statusWhere(w.sink, p, 'restarted by liveness', (s) => s.containerStatuses?.[0]?.restartCount === 1);
  t.equal(st.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 143, 'stopped with SIGTERM');
  healthy = true;
});

t.test('a startup probe gates liveness and readiness', async (t) => {
  let startedOk = false;
  const seen: string[] = [];
  const w = await world(t, undefined, { probeTimeScale: 0.05 });
  w.engine.execHandler = (_c, cmd) => {
    seen.push(cmd[0]!);
    return { stdout: '', stderr: '', exitCode: cmd[0] === 'startup' ? (startedOk ? 0 : 1) : 0 };
  };
  const p = makePod('slow', 'n1', { containers: [{
    name: 'app', image: busybox,
    startupProbe: { exec: { command: ['startup'] }, periodSeconds: 1, failureThreshold: 100 },
    livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1 },
  }] });
  w.source.put(p);
  const st = await statusWhere(w.sink, p, 'running', (s) => s.containerStatuses?.[0]?.state.running !== undefined);
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(seen.includes('live'), 'no liveness check before startup succeeds');
  t.equal(st.containerStatuses?.[0]?.started, false);
  startedOk = true;
  const later = await statusWhere(w.sink, p, 'started and ready', (s) => s.containerStatuses?.[0]?.started === true && cond(s, 'Ready') === 'True');
  t.equal(later.containerStatuses?.[0]?.ready, true);
  await new Promise((r) => setTimeout(r, 200));
  t.ok(seen.includes('live'), 'liveness runs after startup');
});

t.test('init containers in order, a native sidecar, and a Job-like completion', async (t) => {
  const w = await world(t, (name) => (name === 'side' ? {} : { exitCode: 0, exitAfterMs: 20 }));
  const p = makePod('job', 'n1', {
    restartPolicy: 'Never',
    initContainers: [{ name: 'side', image: busybox, restartPolicy: 'Always' }, { name: 'i1', image: busybox }, { name: 'i2', image: busybox }],
    containers: [{ name: 'main', image: busybox }],
  });
  w.source.put(p);
  const st = await statusWhere(w.sink, p, 'succeeded', (s) => s.phase === 'Succeeded');
  const starts = w.engine.calls.filter((c) => c.startsWith('startContainer job/')).map((c) => c.split('/')[1]);
  t.same(starts, ['side#0', 'i1#0', 'i2#0', 'main#0'], 'sidecar, then init containers in order, then the app');
  t.equal(st.containerStatuses?.[0]?.state.terminated?.reason, 'Completed');
  await w.agent.idle();
  await new Promise((r) => setTimeout(r, 100));
  const side = [...w.engine.records.values()].find((r) => r.labels['io.shoal.container-name'] === 'side');
  t.equal(side?.state, 'exited', 'the sidecar was stopped once the pod completed');
});

t.test('a restarted agent adopts running containers; orphans and deletions are cleaned up', async (t) => {
  const w = await world(t);
  const keep = makePod('keep', 'n1', { containers: [{ name: 'app', image: busybox }] });
  const drop = makePod('drop', 'n1', { containers: [{ name: 'app', image: busybox }] });
  const del = makePod('del', 'n1', { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: busybox }] });
  for (const p of [keep, drop, del]) w.source.put(p);
  for (const p of [keep, drop, del]) await statusWhere(w.sink, p, `${p.metadata.name} running`, (s) => s.phase === 'Running');
  const ids = [...w.engine.records.keys()].sort();
  await w.agent.stop();
  const callsBefore = w.engine.calls.length;
  w.source.remove('Pod', 'default', 'drop'); // while no agent runs
  w.agent = new Agent(w.opts);
  await w.agent.start();
  await w.sink.waitFor('drop removed', () => ![...w.engine.records.values()].some((r) => r.labels['io.shoal.pod-name'] === 'drop'));
  const newCalls = w.engine.calls.slice(callsBefore);
  t.notOk(newCalls.some((c) => c.startsWith('createSandbox') || c.startsWith('createContainer')), 'nothing created by the new agent');
  const keepIds = ids.filter((id) => w.engine.records.get(id)?.labels['io.shoal.pod-name'] === 'keep');
  t.equal(keepIds.length, 2, 'the kept pod has the same sandbox and container');
  t.equal(w.sink.latest(keep.metadata.uid!)?.status.containerStatuses?.[0]?.restartCount, 0);
  t.ok(newCalls.some((c) => c.startsWith('stopContainer')), 'the orphan was stopped');
  w.source.markDeleted('default', 'del', new Date().toISOString());
  await w.sink.waitFor('del deleted', () => w.sink.deleted.find((d) => d.name === 'del'));
  t.notOk([...w.engine.records.values()].some((r) => r.labels['io.shoal.pod-name'] === 'del'), 'its containers are gone');
  t.equal(w.source.get({ kind: 'Pod', namespace: 'default', name: 'del' }), undefined);
});

t.test('a pod recreated under the same name starts only after the old one is gone', async (t) => {
  const w = await world(t, () => ({ ignoreTerm: true })); // stopping takes the whole grace period
  const old = makePod('db-0', 'n1', { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: busybox }] });
  w.source.put(old);
  await statusWhere(w.sink, old, 'old running', (s) => s.phase === 'Running');
  const oldIds = [...w.engine.records.keys()];
  w.engine.calls.length = 0;
  const fresh = makePod('db-0', 'n1', { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: busybox }] });
  w.source.put(fresh); // same name, new uid: the old one is now an orphan
  await statusWhere(w.sink, fresh, 'new running', (s) => s.phase === 'Running');
  const lastOldRemoval = Math.max(...oldIds.map((id) => w.engine.calls.indexOf(`removeContainer ${id}`)), ...oldIds.map((id) => w.engine.calls.indexOf(`removeSandbox ${id}`)));
  const newSandbox = w.engine.calls.indexOf('createSandbox db-0');
  t.ok(lastOldRemoval >= 0 && newSandbox > lastOldRemoval, `old removed (call ${lastOldRemoval}) before the new sandbox (call ${newSandbox})`);
});

t.test('lifecycle: postStart runs after start; preStop runs before SIGTERM on deletion', async (t) => {
  const w = await world(t);
  const order: string[] = [];
  w.engine.execHandler = (c, cmd) => {
    order.push(`exec ${cmd.join(' ')} in ${c.state}`);
    return { stdout: '', stderr: '', exitCode: cmd[0] === 'bad' ? 1 : 0 };
  };
  const p = makePod('hooks', 'n1', { terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: busybox, lifecycle: { postStart: { exec: { command: ['warm'] } }, preStop: { exec: { command: ['drain'] } } } }] });
  w.source.put(p);
  await statusWhere(w.sink, p, 'running', (s) => s.phase === 'Running');
  t.same(order, ['exec warm in running']);
  const id = [...w.engine.records.values()].find((r) => r.spec?.name === 'app')!.id;
  w.source.markDeleted('default', 'hooks', new Date().toISOString());
  await w.sink.waitFor('deleted', () => w.sink.deleted.find((d) => d.name === 'hooks'));
  t.same(order, ['exec warm in running', 'exec drain in running'], 'preStop ran while the container still ran');
  const stopAt = w.engine.calls.indexOf(`stopContainer ${id}`);
  t.ok(stopAt >= 0, 'then it was stopped');
  const bad = makePod('badhook', 'n1', { restartPolicy: 'Never', containers: [{ name: 'app', image: busybox, lifecycle: { postStart: { exec: { command: ['bad'] } } } }] });
  w.source.put(bad);
  const st = await statusWhere(w.sink, bad, 'failed', (s) => s.phase === 'Failed');
  t.equal(st.containerStatuses?.[0]?.state.terminated?.exitCode, 143, 'a failing postStart kills the container');
});

t.test('logs and exec choose the container and instance', async (t) => {
  const w = await world(t, (name, attempt) => (name === 'one' ? { logs: [`run ${attempt}`], ...(attempt === 0 ? { exitCode: 1 } : {}) } : {}));
  w.engine.execHandler = (_c, cmd) => ({ stdout: cmd.join(' '), stderr: '', exitCode: 5 });
  const p = makePod('two', 'n1', { containers: [{ name: 'one', image: busybox }, { name: 'two', image: busybox }] });
  w.source.put(p);
  await statusWhere(w.sink, p, 'restarted', (s) => s.containerStatuses?.[0]?.restartCount === 1 && s.containerStatuses[0].state.running !== undefined);
  await t.rejects(w.agent.logs('default', 'two', undefined), ContainerNotChosenError, 'two containers: one must be named');
  t.equal((await (await w.agent.logs('default', 'two', 'one')).toArray()).join(''), 'run 1\n');
  t.equal((await (await w.agent.logs('default', 'two', 'one', { previous: true })).toArray()).join(''), 'run 0\n');
  await t.rejects(w.agent.logs('default', 'two', 'two', { previous: true }), NoPreviousInstanceError);
  t.same(await w.agent.exec('default', 'two', 'two', ['echo', 'hi']), { stdout: 'echo hi', stderr: '', exitCode: 5 });
});
