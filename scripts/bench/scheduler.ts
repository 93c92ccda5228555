/**
 * Scheduler throughput: 1,000 fake nodes and 10,000 pods, placed in batches
 * the way the leader does it: read the latest view from the object store,
 * schedule a batch of pending pods, re-check every binding against that
 * state (the plan applier's optimistic check), and apply the bindings to the
 * real @shoal/state ObjectStore as one batch command. Setup (creating nodes
 * and pods in the store) is not timed.
 *
 * With --raft (the default; --no-raft for the store alone) the binds go the
 * daemon's way: each batch is one command proposed to a three-node Raft
 * group (RaftNode + LevelLogStore with synced writes, in-memory transport),
 * applied to every node's store, and the next batch is planned on the
 * leader's replica once its binds are applied.
 *
 *   npm run bench -- scheduler [--nodes N] [--pods N] [--batch N] [--scoring MostAllocated] [--no-raft]
 *   node --conditions=@shoal/source --import tsx scripts/bench/scheduler.ts [flags]
 */
import type { Node, Pod } from '@shoal/api';
import { checkBindings, schedule, type ScoringStrategy } from '@shoal/scheduler';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryNetwork, RaftNode } from '@shoal/raft';
import { LevelLogStore } from '@shoal/storage';
import { ObjectStore, encodeCommand, type ApplyResult, type Command } from '@shoal/state';
import { StoreStateMachine } from '@shoal/daemon';
import { silentLogger } from '@shoal/log';

function flag(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

const TS = '2026-01-01T00:00:00Z';

function makeNode(i: number): Node {
  const name = `node-${String(i).padStart(4, '0')}`;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: {},
    status: { allocatable: { cpu: '16', memory: '64Gi', pods: 110 }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function makePod(i: number): Pod {
  const owner = `rs-${i % 100}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: owner }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: `${100 + (i % 5) * 100}m`, memory: `${128 * (1 + (i % 4))}Mi` } } }] },
  };
}

export interface SchedulerBenchResult {
  placements: number;
  failures: number;
  refused: number;
  seconds: number;
  perSecond: number;
  /** CPU time of this process in the timed part (the machine may be shared). */
  cpuSeconds: number;
}

export function runSchedulerBench(nodes: number, pods: number, batch: number, scoring: ScoringStrategy): SchedulerBenchResult {
  const store = new ObjectStore();
  let uid = 0;
  for (let i = 0; i < nodes; i++) store.apply({ type: 'create', object: makeNode(i), uid: `n-${uid++}`, timestamp: TS });
  for (let i = 0; i < pods; i++) store.apply({ type: 'create', object: makePod(i), uid: `p-${uid++}`, timestamp: TS });

  let placements = 0;
  let failures = 0;
  let refused = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (true) {
    const nodeList = store.list<Node>('Node');
    const podList = store.list<Pod>('Pod');
    const pending = podList.filter((p) => !p.spec?.nodeName).slice(0, batch);
    if (pending.length === 0) break;
    const view = { nodes: nodeList, pods: podList };
    const r = schedule(view, pending, { scoring });
    failures += r.failures.length;
    // The leader's commit-time re-check against the latest state, counting earlier bindings of the batch.
    const checked = checkBindings({ nodes: store.list<Node>('Node'), pods: store.list<Pod>('Pod') }, r.bindings, new Map(pending.map((p) => [p.metadata.uid ?? '', p])));
    refused += checked.refused.length;
    const binds: Command[] = checked.accepted.map((b) => ({ type: 'bind', key: { kind: 'Pod', namespace: b.namespace, name: b.name }, nodeName: b.nodeName, uid: b.uid }));
    const res = store.apply({ type: 'batch', commands: binds as never });
    const results = res.ok && 'results' in res ? (res.results as { ok: boolean }[]) : [];
    placements += results.filter((x) => x.ok).length;
    if (r.bindings.length === 0) break;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { placements, failures, refused, seconds, perSecond: placements / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** The same loop with every write going through a three-node Raft group. */
export async function runSchedulerBenchRaft(nodes: number, pods: number, batch: number, scoring: ScoringStrategy): Promise<SchedulerBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-sched-'));
  const net = new MemoryNetwork();
  const ids = ['s1', 's2', 's3'];
  const stores = ids.map(() => new ObjectStore());
  const rafts = ids.map((id, i) => new RaftNode({
    id, peers: ids, logStore: new LevelLogStore(join(dir, id)), transport: net.join(id),
    stateMachine: new StoreStateMachine(stores[i]!, silentLogger), tickMs: 25, heartbeatMs: 50, electionMs: 250, requestTimeoutMs: 30_000,
  }));
  try {
    await Promise.all(rafts.map((r) => r.start()));
    let leader: RaftNode | undefined;
    while (!(leader = rafts.find((r) => r.status().role === 'leader'))) await new Promise((r) => setTimeout(r, 20));
    const store = stores[rafts.indexOf(leader)]!;
    const propose = async (cmd: Command) => (await leader!.propose(encodeCommand(cmd))).result as ApplyResult;
    let uid = 0;
    for (let i = 0; i < nodes; i += 500) {
      await propose({ type: 'batch', commands: Array.from({ length: Math.min(500, nodes - i) }, (_, k) => ({ type: 'create' as const, object: makeNode(i + k), uid: `n-${uid++}`, timestamp: TS })) });
    }
    for (let i = 0; i < pods; i += 500) {
      await propose({ type: 'batch', commands: Array.from({ length: Math.min(500, pods - i) }, (_, k) => ({ type: 'create' as const, object: makePod(i + k), uid: `p-${uid++}`, timestamp: TS })) });
    }
    let placements = 0;
    let failures = 0;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    while (true) {
      const podList = store.list<Pod>('Pod');
      const pending = podList.filter((p) => !p.spec?.nodeName).slice(0, batch);
      if (pending.length === 0) break;
      const r = schedule({ nodes: store.list<Node>('Node'), pods: podList }, pending, { scoring });
      failures += r.failures.length;
      if (r.bindings.length === 0) break;
      const res = await propose({ type: 'batch', commands: r.bindings.map((b) => ({ type: 'bind' as const, key: { kind: 'Pod', namespace: b.namespace, name: b.name }, nodeName: b.nodeName, uid: b.uid })) });
      placements += res.ok ? (res.results ?? []).filter((x) => x.ok).length : 0;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { placements, failures, refused: 0, seconds, perSecond: placements / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await Promise.all(rafts.map((r) => r.stop().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function main(argv: string[]): Promise<void> {
  const nodes = Number(flag(argv, 'nodes', '1000'));
  const pods = Number(flag(argv, 'pods', '10000'));
  const batch = Number(flag(argv, 'batch', '500'));
  const scoring = flag(argv, 'scoring', 'LeastAllocated') as ScoringStrategy;
  const report = (what: string, r: SchedulerBenchResult) =>
    process.stdout.write(
      `scheduler (${what}): ${nodes} nodes, ${pods} pods, batches of ${batch}, ${scoring}: ${r.placements} bound, ${r.failures} unschedulable, ${r.refused} refused at re-check, ` +
        `in ${r.seconds.toFixed(2)} s = ${Math.round(r.perSecond)} placements/s (${Math.round(r.placements / r.cpuSeconds)} per CPU-second of this process; goal >= 3750/s)\n`,
    );
  report('scheduler + re-check + ObjectStore apply', runSchedulerBench(nodes, pods, batch, scoring));
  if (!argv.includes('--no-raft')) report('through a 3-node Raft group with synced LevelDB logs', await runSchedulerBenchRaft(nodes, pods, batch, scoring));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main(process.argv.slice(2));
