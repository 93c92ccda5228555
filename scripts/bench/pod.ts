/**
 * Pod start latency, against raw `docker run -d` of the same image in the
 * same run. Two Shoal paths are timed:
 *  - the whole cluster: a pod created through the API of a private
 *    three-node cluster (Raft, the leader's scheduler, the bind, the node's
 *    agent, Docker, the status report back through Raft) until a watch sees
 *    it Running;
 *  - the node agent alone (DockerRuntime with an in-memory source and sink).
 * Trials alternate between the paths; cleanup is not timed, and each
 * trial's cleanup ends before the next trial starts. Also reported:
 * dockerode create+start (the API calls `docker run` makes, without the
 * CLI's own start-up), a stricter baseline; and two engine floors of a pod,
 * straight through dockerode with no Shoal code: a pause container on a
 * Docker bridge network plus the app (how pods were wired before Shoal
 * wired them itself, and still are with `podWiring: docker` or host
 * ports), and a pause container without a network plus the app (the engine
 * work under Shoal's own veth wiring).
 * The agent alone and the floors use a bridge network of their own
 * (`shb-pod-<pid>`, 10.243.0.0/16), removed at the end. `--trace` prints when each stage of a trial was seen
 * (watch, engine events, the nodes' logs) and the daemons' CPU time.
 *
 *   npm run bench -- pod [--trials 20] [--image shoal/echo:latest] [--batch-ms 100] [--no-cluster] [--trace]
 *   node --conditions=@shoal/source --import tsx scripts/bench/pod.ts [flags]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { Pod } from '@shoal/api';
import { Agent, MemoryAgentSink, MemoryAgentSource } from '@shoal/agent';
import { DockerRuntime, LABEL_OWNER, LABEL_POD_NAME, LABEL_ROLE } from '@shoal/runtime';
import { silentLogger } from '@shoal/log';
import { ensureBridgeNetwork, podNetworkPlan, removeBridgeNetwork, VethSandboxNetwork } from '@shoal/network';
import { PrivateCluster } from '../lib/private-cluster.js';

const run = promisify(execFile);

function flag(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

function quantile(sorted: number[], q: number): number {
  // Nearest rank.
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

interface Summary { median: number; p95: number; min: number; max: number }

function summary(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p95: quantile(s, 0.95), min: s[0]!, max: s.at(-1)! };
}

export default async function main(argv: string[]): Promise<void> {
  const trials = Number(flag(argv, 'trials', '20'));
  const image = flag(argv, 'image', 'shoal/echo:latest');
  const batchMs = Number(flag(argv, 'batch-ms', '100'));
  const docker = new Docker();
  const node = `bench-pod-${process.pid}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'shoal-bench-pod-'));
  const benchNet = `shb-pod-${process.pid % 100000}`;
  const plan = podNetworkPlan('10.243.0.0/16', 1);
  const { bridge } = await ensureBridgeNetwork(docker, { name: benchNet, subnet: plan.subnet, gateway: plan.gateway, logger: silentLogger });
  const runtime = new DockerRuntime({
    ownerNode: node, docker, network: benchNet,
    sandboxNetwork: new VethSandboxNetwork({ bridge, nodeCIDR: plan.nodeCIDR, podSubnet: plan.subnet, gateway: plan.gateway }),
  });
  const source = new MemoryAgentSource();
  const sink = new MemoryAgentSink(source);
  const agent = new Agent({ nodeName: node, runtime, source, sink, dataDir, hostIP: '127.0.0.1', statusBatchMs: batchMs });
  const rawName = (i: number) => `shoal-bench-raw-${process.pid}-${i}`;

  const cleanup = async () => {
    const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=${node}`] } });
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
    const raws = await docker.listContainers({ all: true, filters: { name: [`shoal-bench-raw-${process.pid}-`] } });
    await Promise.all(raws.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
  };

  const shoal: number[] = [];
  const raw: number[] = [];
  const api: number[] = [];
  const floor: number[] = [];
  const floorNone: number[] = [];
  const full: number[] = [];
  const withCluster = !argv.includes('--no-cluster');
  const pc = withCluster ? new PrivateCluster({ net: 242 }) : undefined;
  const running = new Map<string, () => void>();
  // --trace: when each stage of a cluster trial was seen (ms after the create call).
  const trace = argv.includes('--trace');
  const stages = new Map<string, Record<string, number>>();
  const traceRows: Record<string, number>[] = [];
  const agentRows: Record<string, number>[] = [];
  const floorRows: Record<string, number>[] = [];
  // CPU time the cluster's daemons have used so far (user + system, from /proc).
  const daemonCpuMs = async () => {
    let ms = 0;
    for (const n of pc?.names ?? []) {
      const pid = pc?.cluster.pid(n);
      const stat = pid ? await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '') : '';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) * 10; // utime, stime in 10 ms ticks
    }
    return ms;
  };
  const seenAt = (name: string, stage: string, t: number) => {
    const st = stages.get(name);
    if (st && st[stage] === undefined) st[stage] = t - st['t0']!;
  };
  const abort = new AbortController();
  let cc: ReturnType<PrivateCluster['client']> | undefined;
  try {
    await agent.start();
    if (trace) {
      // The engine's own create/start times of each cluster pod's sandbox and app container.
      const ev = (await docker.getEvents({ filters: { type: ['container'], event: ['create', 'start'], label: [LABEL_ROLE] } })) as unknown as NodeJS.ReadableStream & { destroy(): void };
      abort.signal.addEventListener('abort', () => ev.destroy());
      let buf = '';
      ev.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const j = JSON.parse(buf.slice(0, nl)) as { Action: string; timeNano: number; Actor: { Attributes: Record<string, string> } };
          buf = buf.slice(nl + 1);
          const st = stages.get(j.Actor.Attributes[LABEL_POD_NAME] ?? '');
          const stage = `docker: ${j.Actor.Attributes[LABEL_ROLE]} ${j.Action}`;
          if (st && st[stage] === undefined) st[stage] = j.timeNano / 1e6 - st['wall']!;
        }
      });
      ev.on('error', () => undefined);
    }
    if (pc) {
      process.stderr.write('[pod] starting a private three-node cluster\n');
      await pc.start();
      const c = (cc = pc.client());
      const rev = (await c.list('Pod', { namespace: 'default' })).revision;
      void (async () => {
        for await (const e of c.watch<Pod>('Pod', { namespace: 'default', resourceVersion: rev, signal: abort.signal })) {
          const now = performance.now();
          const o = e.object;
          if (!o) continue;
          if (trace) {
            seenAt(o.metadata.name, 'added', now);
            if (o.spec?.nodeName) seenAt(o.metadata.name, 'bound', now);
            if (o.status?.hostIP) seenAt(o.metadata.name, `agent ${o.status.phase ?? ''}`.trim(), now);
          }
          if (o.status?.phase === 'Running') running.get(o.metadata.name)?.();
        }
      })().catch(() => undefined);
    }
    for (let i = 0; i < trials + 1; i++) {
      const warmup = i === 0;
      const order = i % 2 === 0 ? ['raw', 'shoal', 'api', 'cluster', 'floor', 'floor-none'] : ['floor-none', 'floor', 'cluster', 'shoal', 'api', 'raw'];
      for (const kind of order) {
        if (kind === 'cluster') {
          const c = cc;
          if (!c) continue;
          const name = `bench-full-${i}`;
          const seen = new Promise<void>((r) => running.set(name, r));
          const cpu0 = trace ? await daemonCpuMs() : 0;
          const t0 = performance.now();
          stages.set(name, { t0, wall: Date.now() });
          await c.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image, imagePullPolicy: 'Never' }] } });
          seenAt(name, 'api returned', performance.now());
          await seen;
          if (!warmup) full.push(performance.now() - t0);
          if (!warmup && trace) traceRows.push(Object.assign(stages.get(name)!, { 'daemons CPU ms (all three)': (await daemonCpuMs()) - cpu0 }));
          await c.delete('Pod', name, { gracePeriodSeconds: 0 });
          // Untimed, but finished before the next trial: the node stops and removes the pod's containers.
          for (let k = 0; k < 600; k++) {
            const left = await docker.listContainers({ all: true, filters: { label: [`${LABEL_POD_NAME}=${name}`] } });
            if (!left.some((x) => pc!.names.includes(x.Labels[LABEL_OWNER] ?? ''))) break;
            await new Promise((r) => setTimeout(r, 25));
          }
        } else if (kind === 'raw') {
          const t0 = performance.now();
          await run('docker', ['run', '-d', '--name', rawName(i), image]);
          if (!warmup) raw.push(performance.now() - t0);
          await docker.getContainer(rawName(i)).remove({ force: true });
        } else if (kind === 'floor' || kind === 'floor-none') {
          // The engine work of a pod, with no Shoal code: a pause container owning the
          // network (on a Docker bridge network, or none), the app created while it starts, then started.
          const none = kind === 'floor-none';
          const name = `bench-${kind}-${i}`;
          // Labelled like a pod's (no owner node: no agent touches them) so --trace sees their engine events.
          const labels = (role: string) => ({ [LABEL_POD_NAME]: name, [LABEL_ROLE]: role });
          const t0 = performance.now();
          stages.set(name, { t0, wall: Date.now() });
          const sb = await docker.createContainer({ name: `${rawName(i)}-${kind}-sb`, Image: 'shoal/pause:latest', Hostname: name, Labels: labels('sandbox'), HostConfig: { NetworkMode: none ? 'none' : benchNet, IpcMode: 'shareable' } });
          const [, app] = await Promise.all([
            sb.start(),
            docker.createContainer({ name: `${rawName(i)}-${kind}-app`, Image: image, Labels: labels('container'), HostConfig: { NetworkMode: `container:${sb.id}`, IpcMode: `container:${sb.id}` } }),
          ]);
          await app.start();
          if (!warmup) (none ? floorNone : floor).push(performance.now() - t0);
          if (!warmup && trace && !none) floorRows.push(Object.assign(stages.get(name)!, { 'app started (API)': performance.now() - t0 }));
          await app.remove({ force: true });
          await sb.remove({ force: true });
        } else if (kind === 'api') {
          const t0 = performance.now();
          const c = await docker.createContainer({ name: `${rawName(i)}-api`, Image: image });
          await c.start();
          if (!warmup) api.push(performance.now() - t0);
          await c.remove({ force: true });
        } else {
          const pod: Pod = {
            apiVersion: 'v1', kind: 'Pod',
            metadata: { name: `bench-${i}`, namespace: 'default', uid: `bench-${process.pid}-${i}` },
            spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image }] },
          };
          const t0 = performance.now();
          stages.set(pod.metadata.name, { t0, wall: Date.now() });
          source.put(pod);
          await sink.waitFor(`pod ${i} Running`, () => sink.latest(pod.metadata.uid!)?.status.phase === 'Running');
          if (!warmup) shoal.push(performance.now() - t0);
          if (!warmup && trace) agentRows.push(Object.assign(stages.get(pod.metadata.name)!, { 'Running reported': performance.now() - t0 }));
          source.remove('Pod', 'default', pod.metadata.name);
          for (let k = 0; k < 200; k++) {
            if ((await runtime.listSandboxes({ podUid: pod.metadata.uid! })).length === 0 && (await runtime.listContainers({ podUid: pod.metadata.uid! })).length === 0) break;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    }
    // --trace: the nodes' own log lines for each pod (wall clock, so a few ms of skew).
    if (trace && pc) {
      for (const n of pc.names) {
        for (const line of (await readFile(pc.logTail(n), 'utf8')).split('\n')) {
          if (!line.includes('bench-full-')) continue;
          const j = JSON.parse(line) as { time: string; msg: string; pod?: string };
          const st = stages.get(j.pod?.split('/')[1] ?? '');
          if (st && st[`log: ${j.msg}`] === undefined) st[`log: ${j.msg}`] = Date.parse(j.time) - st['wall']!;
        }
      }
    }
  } finally {
    abort.abort();
    await pc?.close();
    await agent.stop();
    await cleanup();
    await runtime.close();
    await removeBridgeNetwork(docker, benchNet).catch(() => false);
    await rm(dataDir, { recursive: true, force: true });
  }

  const s = summary(shoal);
  const fu = full.length ? summary(full) : undefined;
  const r = summary(raw);
  const a = summary(api);
  const fl = summary(floor);
  const fn = summary(floorNone);
  const f = (x: number) => x.toFixed(0);
  const load = os.loadavg()[0]!.toFixed(1);
  process.stdout.write(
    `pod start: ${trials} trials each, image ${image}, status batch window ${batchMs} ms, load average ${load}\n\n` +
      `| path | median ms | p95 ms | min ms | max ms |\n|---|---|---|---|---|\n` +
      (fu ? `| Shoal cluster: API create -> Running seen by a watch | ${f(fu.median)} | ${f(fu.p95)} | ${f(fu.min)} | ${f(fu.max)} |\n` : '') +
      `| Shoal agent alone: pod given -> Running reported | ${f(s.median)} | ${f(s.p95)} | ${f(s.min)} | ${f(s.max)} |\n` +
      `| raw \`docker run -d\` (CLI) | ${f(r.median)} | ${f(r.p95)} | ${f(r.min)} | ${f(r.max)} |\n` +
      `| dockerode create+start (API) | ${f(a.median)} | ${f(a.p95)} | ${f(a.min)} | ${f(a.max)} |\n` +
      `| engine floor: pause on a Docker bridge network + app (dockerode, no Shoal) | ${f(fl.median)} | ${f(fl.p95)} | ${f(fl.min)} | ${f(fl.max)} |\n` +
      `| engine floor: pause without a network + app (dockerode, no Shoal; Shoal's veth wiring comes on top) | ${f(fn.median)} | ${f(fn.p95)} | ${f(fn.min)} | ${f(fn.max)} |\n` +
      '\n' +
      (fu ? `ratio Shoal cluster / docker run -d: median ${(fu.median / r.median).toFixed(2)}x, p95 ${(fu.p95 / r.p95).toFixed(2)}x (goal <= 1.5x)\n` : '') +
      `ratio engine floor / docker run -d: median ${(fl.median / r.median).toFixed(2)}x on a Docker network, ${(fn.median / r.median).toFixed(2)}x without a network\n` +
      `ratio Shoal agent / docker run -d: median ${(s.median / r.median).toFixed(2)}x, p95 ${(s.p95 / r.p95).toFixed(2)}x\n` +
      `ratio Shoal / API create+start: median ${(s.median / a.median).toFixed(2)}x, p95 ${(s.p95 / a.p95).toFixed(2)}x\n`,
  );
  if (trace) {
    // Median time after the start at which each stage was first seen (API call, watch, engine events, node logs);
    // rows are the live records, so engine events that arrive after a trial's end still count.
    const table = (title: string, rows: Record<string, number>[]) => {
      if (!rows.length) return '';
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 't0' && k !== 'wall');
      const med = (k: string) => summary(rows.map((r) => r[k]).filter((x): x is number => x !== undefined)).median;
      keys.sort((x, y) => med(x) - med(y));
      return `\n${title} (median ms after the start):\n${keys.map((k) => `  ${k.padEnd(26)} ${f(med(k))}`).join('\n')}\n`;
    };
    process.stdout.write(table('cluster stages', traceRows) + table('agent alone stages', agentRows) + table('engine floor stages', floorRows));
  }

}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main(process.argv.slice(2));
