// The node agent on the real Docker engine, fed by an in-memory source and
// sink (no daemon): sidecars over localhost, init containers and emptyDir,
// OOM kills, liveness restarts with back-off, readiness, logs and exec,
// adoption of running containers by a restarted agent, removal of orphans.
import t from 'tap';
import Docker from 'dockerode';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, MemoryAgentSink, MemoryAgentSource, type AgentOptions } from '@shoal/agent';
import { DockerRuntime, LABEL_OWNER } from '@shoal/runtime';
import { cond, history, makePod, statusWhere } from '../../packages/agent/test/harness.js';

const docker = new Docker();
const node = `e2e-agent-${process.pid}-${Date.now().toString(36)}`;
const hostPort = 31000 + (process.pid % 2000);

async function removeOwned(): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=${node}`] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const vols = await docker.listVolumes({ filters: { label: [`${LABEL_OWNER}=${node}`] } });
  await Promise.all((vols.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => {})));
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += Buffer.from(c as Buffer).toString();
  return out;
}

t.test('agent on Docker', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'shoal-agent-e2e-'));
  const runtime = new DockerRuntime({ ownerNode: node, docker });
  const source = new MemoryAgentSource();
  const sink = new MemoryAgentSink(source);
  const opts: AgentOptions = {
    nodeName: node, runtime, source, sink, dataDir, hostIP: '127.0.0.1',
    backoffBaseMs: 1000, backoffMaxMs: 4000, resyncMs: 1000, statusBatchMs: 50, nodeStatusMs: 2000,
  };
  let agent = new Agent(opts);
  t.teardown(async () => {
    await agent.stop();
    await removeOwned();
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await agent.start();

  t.test('node status reports capacity and readiness', async (t) => {
    const st = await sink.waitFor('node status', () => sink.nodeStatuses.at(-1));
    t.equal(st.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    t.ok(Number(st.capacity?.cpu) > 0, `cpu ${st.capacity?.cpu}`);
    t.match(String(st.capacity?.memory), /^\d+Ki$/);
    t.equal(st.capacity?.pods, '110');
    t.ok(st.allocatable?.cpu);
  });

  const web = makePod('web', node, {
    terminationGracePeriodSeconds: 2,
    containers: [
      {
        name: 'main', image: 'shoal/echo:latest', ports: [{ containerPort: 8080, hostPort }],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'VERSION', value: 'v7' },
        ],
        readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
      },
      {
        name: 'sidecar', image: 'shoal/busybox:latest',
        command: ['sh', '-c'],
        args: ["trap 'exit 0' TERM; while true; do wget -qO- http://localhost:8080/from-sidecar; sleep 1 & wait; done"],
      },
    ],
  });

  t.test('a sidecar reaches the main container on localhost; hostPort is published', async (t) => {
    source.put(web);
    const st = await statusWhere(sink, web, 'web Ready', (s) => s.phase === 'Running' && cond(s, 'Ready') === 'True');
    t.ok(st.podIP, `pod IP ${st.podIP}`);
    t.equal(st.hostIP, '127.0.0.1');
    t.ok(st.startTime);
    t.equal(st.containerStatuses?.length, 2);
    let out = '';
    for (let i = 0; i < 50 && !out.includes('from-sidecar'); i++) {
      out = await text(await agent.logs('default', 'web', 'sidecar'));
      if (!out.includes('from-sidecar')) await new Promise((r) => setTimeout(r, 200));
    }
    t.match(out, /"pod":"web","namespace":"default","version":"v7"/, 'the sidecar got the main container\'s answer over localhost');
    const viaHost = await get(`http://127.0.0.1:${hostPort}/via-host`);
    t.match(viaHost, /"path":"\/via-host"/, 'hostPort answers on the node');
    const viaIP = await get(`http://${st.podIP}:8080/`);
    t.match(viaIP, /"hostname":"web"/, 'hostname is the pod name');
  });

  const withInit = makePod('init-app', node, {
    terminationGracePeriodSeconds: 1,
    volumes: [{ name: 'work', emptyDir: {} }],
    initContainers: [{ name: 'prepare', image: 'shoal/busybox:latest', command: ['sh', '-c', 'echo hello-from-init > /work/msg'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    containers: [{
      name: 'app', image: 'shoal/busybox:latest', command: ['sh', '-c', "cat /work/msg; trap 'exit 0' TERM; sleep 3600 & wait"],
      volumeMounts: [{ name: 'work', mountPath: '/work' }],
    }],
  });

  t.test('an init container writes a file the app reads (emptyDir)', async (t) => {
    source.put(withInit);
    const st = await statusWhere(sink, withInit, 'init-app running', (s) => s.phase === 'Running' && cond(s, 'Ready') === 'True');
    t.equal(cond(st, 'Initialized'), 'True');
    t.equal(st.initContainerStatuses?.[0]?.state.terminated?.reason, 'Completed');
    t.equal(st.initContainerStatuses?.[0]?.state.terminated?.exitCode, 0);
    const h = history(sink, withInit);
    t.ok(h.some((s) => s.phase === 'Pending' && cond(s, 'Initialized') === 'False'), 'was Pending and not Initialized before');
    t.equal(await text(await agent.logs('default', 'init-app', 'app')), 'hello-from-init\n');
  });

  const hog = makePod('hog', node, {
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'hog', image: 'shoal/busybox:latest', command: ['sh', '-c', 'head -c 100m /dev/zero | tail'], resources: { limits: { memory: '20Mi' } } }],
  });

  t.test('a memory limit OOM-kills and is reported as OOMKilled', async (t) => {
    source.put(hog);
    const st = await statusWhere(sink, hog, 'hog failed', (s) => s.phase === 'Failed');
    const term = st.containerStatuses?.[0]?.state.terminated;
    t.equal(term?.reason, 'OOMKilled');
    t.not(term?.exitCode, 0);
    t.equal(cond(st, 'Ready'), 'False');
  });

  const live = makePod('live', node, {
    terminationGracePeriodSeconds: 1,
    containers: [{
      name: 'app', image: 'shoal/echo:latest',
      livenessProbe: { exec: { command: ['/bin/false-does-not-exist'] }, periodSeconds: 1, failureThreshold: 1 },
    }],
  });

  t.test('a failing liveness probe restarts the container with back-off', async (t) => {
    source.put(live);
    const st = await statusWhere(sink, live, 'two restarts', (s) => (s.containerStatuses?.[0]?.restartCount ?? 0) >= 2, 60_000);
    t.ok(st.containerStatuses?.[0]?.lastState?.terminated, 'lastState holds the killed instance');
    const h = history(sink, live);
    t.ok(h.some((s) => s.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff'), 'CrashLoopBackOff was reported between restarts');
    const prev = await text(await agent.logs('default', 'live', 'app', { previous: true }));
    t.match(prev, /echo listening on :8080/, 'logs --previous shows the killed instance');
  });

  const ready = makePod('ready', node, {
    terminationGracePeriodSeconds: 1,
    containers: [{
      name: 'app', image: 'shoal/busybox:latest', command: ['sh', '-c', "trap 'exit 0' TERM; echo started; sleep 3600 & wait"],
      readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
    }],
  });

  t.test('readiness flips the Ready condition; exec reports output and exit code', async (t) => {
    source.put(ready);
    let st = await statusWhere(sink, ready, 'running, not ready', (s) => s.phase === 'Running' && s.containerStatuses?.[0]?.state.running !== undefined);
    t.equal(cond(st, 'Ready'), 'False');
    const r = await agent.exec('default', 'ready', undefined, ['sh', '-c', 'touch /tmp/ready; echo out; echo err >&2; exit 7']);
    t.same(r, { stdout: 'out\n', stderr: 'err\n', exitCode: 7 });
    st = await statusWhere(sink, ready, 'ready', (s) => cond(s, 'Ready') === 'True');
    t.equal(st.containerStatuses?.[0]?.ready, true);
    await agent.exec('default', 'ready', 'app', ['rm', '/tmp/ready']);
    st = await statusWhere(sink, ready, 'unready again', (s) => cond(s, 'Ready') === 'False');
    t.equal(st.containerStatuses?.[0]?.ready, false);
    t.equal(await text(await agent.logs('default', 'ready', 'app', { tail: 1 })), 'started\n');
  });

  const hostNet = makePod('hostnet', node, {
    hostNetwork: true,
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'app', image: 'shoal/busybox:latest', command: ['sh', '-c', "echo ip=$MY_IP; trap 'exit 0' TERM; sleep 3600 & wait"], env: [{ name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }],
  });

  t.test('a hostNetwork pod uses the node address', async (t) => {
    source.put(hostNet);
    const st = await statusWhere(sink, hostNet, 'hostnet running', (s) => s.phase === 'Running' && cond(s, 'Ready') === 'True');
    t.equal(st.podIP, '127.0.0.1', 'pod IP is the host IP');
    t.equal(await text(await agent.logs('default', 'hostnet', 'app')), 'ip=127.0.0.1\n', 'status.podIP in env is the host IP');
  });

  t.test('a restarted agent adopts the running containers', async (t) => {
    // The liveness pod keeps crash-looping (new attempts): leave it out.
    const steady = (list: Awaited<ReturnType<typeof runtime.listContainers>>) => list.filter((c) => c.pod.name !== 'live');
    const before = steady(await runtime.listContainers());
    const running = before.filter((c) => c.state === 'running');
    t.ok(running.length >= 4, `${running.length} containers running`);
    const webBefore = sink.latest(web.metadata.uid!)!.status;
    await agent.stop();
    agent = new Agent(opts);
    const batchesBefore = sink.batches.length;
    await agent.start();
    await agent.syncNow();
    await agent.idle();
    await new Promise((r) => setTimeout(r, 1500));
    await agent.idle();
    const after = steady(await runtime.listContainers());
    for (const c of running) {
      const same = after.find((a) => a.id === c.id);
      t.equal(same?.state, 'running', `${c.pod.name}/${c.name} still running, same id`);
      t.equal(same?.attempt, c.attempt, `${c.pod.name}/${c.name} same attempt`);
    }
    t.equal(after.length, before.length, 'no container created or removed');
    const webAfter = sink.latest(web.metadata.uid!)!.status;
    t.same(webAfter.containerStatuses?.map((s) => [s.containerID, s.restartCount]), webBefore.containerStatuses?.map((s) => [s.containerID, s.restartCount]), 'same ids and restart counts reported');
    t.ok(sink.batches.length >= batchesBefore);
  });

  t.test('deleting a pod stops and removes its containers, then the pod', async (t) => {
    source.markDeleted('default', 'init-app', new Date().toISOString(), 1);
    await sink.waitFor('pod deleted', () => sink.deleted.find((d) => d.uid === withInit.metadata.uid));
    const left = await runtime.listContainers({ podUid: withInit.metadata.uid! });
    t.same(left, [], 'no containers left');
    t.same(await runtime.listSandboxes({ podUid: withInit.metadata.uid! }), [], 'no sandbox left');
    t.notOk((await runtime.listVolumes()).some((v) => v.name.includes(withInit.metadata.uid!)), 'emptyDir volume removed');
  });

  t.test('containers of a pod no longer bound here are removed', async (t) => {
    source.put({ ...ready, spec: { ...ready.spec!, nodeName: 'elsewhere' } });
    for (let i = 0; i < 100; i++) {
      const uid = ready.metadata.uid!;
      if ((await runtime.listContainers({ podUid: uid })).length === 0 && (await runtime.listSandboxes({ podUid: uid })).length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    t.same(await runtime.listContainers({ podUid: ready.metadata.uid! }), []);
    t.same(await runtime.listSandboxes({ podUid: ready.metadata.uid! }), []);
  });
});
