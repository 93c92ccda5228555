/**
 * `npm run bench -- raft [--clients C] [--duration D] [--trials N] [--json]
 *  [--only shoal|etcd] [--shoal daemon|kv|both] [--cpu-prof DIR] [--snapshot-entries N]
 *  [--etcd-snapshot-count N] [--snapshot-log-ratio R] [--warmup S] [--timeline] [--rounds R]
 *  [--lg-warmup S]`
 *
 * Three Shoal nodes and then a three-member etcd cluster, as processes on
 * loopback, each driven by the same load generator (C clients writing
 * 256-byte values to random keys for D seconds), then leader failover:
 * SIGKILL the leader, time until a write succeeds through a survivor,
 * restart it; N trials. `--json` ends with one JSON line.
 *
 * The Shoal side is, by default, three real `shoald` daemons taking every
 * write through the object API (`ObjectService.Apply` of a ConfigMap: the
 * path `shoal apply` uses). `--shoal kv` runs the Raft log alone instead
 * (scripts/bench/raft-kv-server.ts: RaftNode, LevelDB store and gRPC
 * transport under a tiny key-value service), to tell the log's cost from
 * the object layer's; `--shoal both` runs both, then etcd.
 * Before either side, the load generator drives stand-in servers in its
 * own process for `--lg-warmup` seconds per client kind (default 3; 0: off),
 * so its own JIT warm-up does not land on whichever side runs first.
 * Writes completing in the first S seconds (default 2) are not counted;
 * `--timeline` prints each measured second (writes, slowest, writes over
 * the run's p99, and how many of those went through each member).
 * `--rounds R` repeats the whole comparison R times with fresh clusters,
 * etcd first in every other round, and ends with each
 * ratio's median and range and in how many rounds each goal was met: the
 * host's speed moves enough between minutes that one run's ratios swing
 * by a third.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { DaemonCluster } from './daemon-cluster.js';
import { etcdCluster, shoalCluster, DEFAULT_TIMING, type BenchCluster } from './process-cluster.js';
import { percentile, runLoad, timeFailover, type LoadResult } from './load.js';
import { etcdClient, shoalClient, shoaldClient, standInServer, type KvClient } from './kv-clients.js';

interface SideResult {
  load: LoadResult;
  /** CPU milliseconds during the load: all members together, and the load generator (this process). */
  cpuMs: { members: number; loadGenerator: number };
  failover: { trialsMs: number[]; medianMs: number; maxMs: number };
}

const round = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;

/** User + system CPU of processes so far, from /proc (Linux), in ms. */
function processCpuMs(pids: number[]): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // gone or not Linux
    }
  }
  return total;
}

async function failoverTrials(cluster: BenchCluster, trials: number, log: (s: string) => void): Promise<number[]> {
  const times: number[] = [];
  for (let trial = 1; trial <= trials; trial++) {
    const leader = await cluster.waitLeader(30_000);
    // Let heartbeats settle after the previous restart.
    await new Promise((r) => setTimeout(r, 500));
    const survivors = cluster.clients.filter((_, i) => i !== leader);
    const ms = await timeFailover(survivors, () => cluster.kill(leader));
    times.push(ms);
    log(`  ${cluster.name} failover ${trial}/${trials}: killed ${cluster.members[leader]!.id}, write succeeded after ${round(ms)} ms`);
    cluster.start(leader);
    await cluster.waitLeader(30_000);
  }
  return times;
}

interface LoadOptions {
  clients: number;
  duration: number;
  warmup: number;
  trials: number;
  timeline: boolean;
}

async function runSide(make: () => Promise<BenchCluster>, o: LoadOptions, log: (s: string) => void, graceMs = 0): Promise<SideResult> {
  const { clients, duration, trials } = o;
  const cluster = await make();
  const cleanup = (): void => {
    for (const pid of cluster.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', cleanup);
  try {
    await cluster.startAll();
    log(`${cluster.name}: 3 members up (${cluster.endpoints.join(', ')}); ${clients} clients for ${duration} s`);
    // One connection per 10 clients, spread over the three members.
    const conns = cluster.openClients(Math.max(3, Math.ceil(clients / 10)));
    const pids = cluster.pids();
    const members0 = processCpuMs(pids);
    const self0 = process.cpuUsage();
    const load = await runLoad(conns, clients, duration, o.warmup);
    const self = process.cpuUsage(self0);
    const cpuMs = { members: Math.round(processCpuMs(pids) - members0), loadGenerator: Math.round((self.user + self.system) / 1000) };
    log(`${cluster.name}: ${round(load.writesPerSec, 0)} writes/s, p50 ${round(load.p50Ms)} ms, p99 ${round(load.p99Ms)} ms, max ${round(load.maxMs)} ms, ${load.errors} errors; ` +
      `CPU ${cpuMs.members} ms in the members, ${cpuMs.loadGenerator} ms in the load generator (warm-up included)`);
    // Writes through a follower take two more hops (forward, then the commit back); mark the leader.
    const leader = await cluster.waitLeader(5000).catch(() => -1);
    load.byMember.forEach((m, i) => log(`  through ${cluster.endpoints[i]}${i === leader ? ' (the leader)' : ''}: ${m.writes} writes, p50 ${round(m.p50Ms)} ms, p99 ${round(m.p99Ms)} ms`));
    if (o.timeline) for (const w of load.timeline) log(`  second ${w.second + 1} (${new Date(load.measuredFromMs + w.second * 1000).toISOString().slice(11, 19)}): ${w.writes} writes, slowest ${w.maxMs} ms, ${w.overP99} over the p99${w.overP99 > 0 ? ` (by member: ${w.overP99ByMember.join(' / ')})` : ''}`);
    const trialsMs = await failoverTrials(cluster, trials, log);
    const sorted = [...trialsMs].sort((a, b) => a - b);
    return { load, cpuMs, failover: { trialsMs: trialsMs.map((v) => round(v)), medianMs: round(percentile(sorted, 50)), maxMs: round(sorted[sorted.length - 1]!) } };
  } finally {
    // SHOAL_BENCH_KEEP=1 keeps the data dirs and node logs for diagnosis.
    await cluster.stop(process.env.SHOAL_BENCH_KEEP === '1', graceMs);
    if (process.env.SHOAL_BENCH_KEEP === '1') log(`${cluster.name}: logs and data kept in ${cluster.dir}`);
    process.off('exit', cleanup);
  }
}

/** The daemons run pods through Docker: start the engine (and build the base image) when it is missing. */
function ensureDocker(): void {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0) return;
  const script = fileURLToPath(new URL('../ensure-docker.sh', import.meta.url));
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status})`);
}

interface Goals {
  side: string;
  throughputAtLeastEtcd: boolean | null;
  p99AtMostEtcd: boolean | null;
  failoverMedianAtMost500ms: boolean;
  failoverMaxAtMost1s: boolean;
}

interface RoundOutcome {
  json: Record<string, unknown>;
  ratios: Record<string, { throughput: number; p50: number; p99: number; failoverMedian: number }>;
  goals?: Goals;
}

/** One round's table, ratios, CPU per write and goals, printed; and the same as data. */
function report(sides: Array<[string, SideResult]>, log: (s: string) => void): RoundOutcome {
  const json: Record<string, unknown> = {};
  const table = (name: string, r: SideResult): string =>
    `${name.padEnd(9)} ${String(round(r.load.writesPerSec, 0)).padStart(8)} ${String(round(r.load.p50Ms)).padStart(8)} ${String(round(r.load.p99Ms)).padStart(8)} ${String(round(r.load.maxMs)).padStart(8)} ${String(r.failover.medianMs).padStart(12)} ${String(r.failover.maxMs).padStart(12)}`;
  log('');
  log(`side      writes/s  p50(ms)  p99(ms)  max(ms) fail.med(ms) fail.max(ms)`);
  for (const [name, r] of sides) {
    log(table(name, r));
    json[name] = r;
  }
  const etcd = sides.find(([n]) => n === 'etcd')?.[1];
  const ratios: RoundOutcome['ratios'] = {};
  for (const [name, r] of sides) {
    if (name === 'etcd' || !etcd) continue;
    const x = {
      throughput: round(r.load.writesPerSec / etcd.load.writesPerSec, 2),
      p50: round(r.load.p50Ms / etcd.load.p50Ms, 2),
      p99: round(r.load.p99Ms / etcd.load.p99Ms, 2),
      failoverMedian: round(r.failover.medianMs / etcd.failover.medianMs, 2),
    };
    ratios[name] = x;
    log(`${name}/etcd: throughput x${x.throughput}, p50 x${x.p50}, p99 x${x.p99}, failover median x${x.failoverMedian}`);
  }
  if (etcd && sides.length > 1) json.ratios = ratios;
  const perWrite = (r: SideResult): string => {
    const writes = Math.max(1, r.load.writes);
    return `${round(r.cpuMs.members / writes, 3)} ms in the members + ${round(r.cpuMs.loadGenerator / writes, 3)} ms in the load generator`;
  };
  for (const [name, r] of sides) log(`${name} CPU per write: ${perWrite(r)}`);
  // The issue's goals are judged on the Shoal side that was run: the daemons when they ran.
  const judged = sides.find(([n]) => n !== 'etcd');
  if (judged) {
    const [name, shoal] = judged;
    const goals: Goals = {
      side: name,
      throughputAtLeastEtcd: etcd ? shoal.load.writesPerSec >= etcd.load.writesPerSec : null,
      p99AtMostEtcd: etcd ? shoal.load.p99Ms <= etcd.load.p99Ms : null,
      failoverMedianAtMost500ms: shoal.failover.medianMs <= 500,
      failoverMaxAtMost1s: shoal.failover.maxMs <= 1000,
    };
    json.goals = goals;
    log(`goals: ${Object.entries(goals).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  return { json, ratios, ...(json.goals ? { goals: json.goals as Goals } : {}) };
}

/** Over several rounds: each ratio's median and range, and in how many rounds each goal was met. */
function summarize(outcomes: RoundOutcome[], log: (s: string) => void): Record<string, unknown> {
  const median = (xs: number[]): number => {
    const v = [...xs].sort((a, b) => a - b);
    const m = Math.floor(v.length / 2);
    return v.length % 2 === 1 ? v[m]! : round((v[m - 1]! + v[m]!) / 2, 2);
  };
  const summary: Record<string, unknown> = { rounds: outcomes.length };
  log('');
  const names = Object.keys(outcomes[0]?.ratios ?? {});
  for (const name of names) {
    const per = (k: 'throughput' | 'p99' | 'failoverMedian'): { median: number; min: number; max: number } => {
      const xs = outcomes.map((o) => o.ratios[name]![k]);
      return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
    };
    const x = { throughput: per('throughput'), p99: per('p99'), failoverMedian: per('failoverMedian') };
    summary[name] = x;
    log(`${name}/etcd over ${outcomes.length} rounds: throughput median x${x.throughput.median} (x${x.throughput.min}-x${x.throughput.max}), ` +
      `p99 median x${x.p99.median} (x${x.p99.min}-x${x.p99.max}), failover median x${x.failoverMedian.median}`);
  }
  const goals = outcomes.map((o) => o.goals).filter((g): g is Goals => g !== undefined);
  if (goals.length > 0) {
    const met: Record<string, string> = {};
    for (const k of ['throughputAtLeastEtcd', 'p99AtMostEtcd', 'failoverMedianAtMost500ms', 'failoverMaxAtMost1s'] as const) {
      if (goals.some((g) => g[k] === null)) continue;
      met[k] = `${goals.filter((g) => g[k] === true).length}/${goals.length}`;
    }
    summary.goalsMet = met;
    log(`goals met (rounds): side=${goals[0]!.side} ${Object.entries(met).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  return summary;
}

/** Drives a stand-in server with each kind of client for `seconds`, as the measured runs will drive the clusters. */
async function warmLoadGenerator(kinds: Array<(address: string) => KvClient>, clients: number, seconds: number, log: (s: string) => void): Promise<void> {
  const server = await standInServer();
  try {
    let writes = 0;
    for (const make of kinds) {
      const conns = Array.from({ length: Math.max(3, Math.ceil(clients / 10)) }, () => make(server.address));
      try {
        writes += (await runLoad(conns, clients, seconds, 0)).writes;
      } finally {
        for (const c of conns) c.close();
      }
    }
    log(`load generator: warmed up against stand-in servers in its own process (${kinds.length} x ${seconds} s, ${writes} writes)`);
  } finally {
    await server.close();
  }
}

export default async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string', default: '200' },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '2' },
      // Seconds the load generator drives in-process stand-in servers, per client kind, before any side.
      'lg-warmup': { type: 'string', default: '3' },
      timeline: { type: 'boolean', default: false },
      trials: { type: 'string', default: '10' },
      // Repeat the whole comparison, fresh clusters each time, every other round with etcd first.
      rounds: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      // daemon: real shoald processes, writes through the object API (default); kv: the Raft log alone; both.
      shoal: { type: 'string', default: 'daemon' },
      'cpu-prof': { type: 'string' },
      // Shoal's snapshot interval in entries (the server's default is 10,000; etcd's --snapshot-count default is 100,000).
      'snapshot-entries': { type: 'string' },
      // etcd's --snapshot-count; give both sides the same interval to compare the same work.
      'etcd-snapshot-count': { type: 'string' },
      // Shoal's snapshotLogRatio (default 1; 0: snapshots by entry count alone, as before 2026-11-27 night).
      'snapshot-log-ratio': { type: 'string' },
    },
  });
  const loadOpts: LoadOptions = {
    clients: Number(values.clients), duration: Number(values.duration), warmup: Number(values.warmup), trials: Number(values.trials), timeline: values.timeline,
  };
  const { clients, duration } = loadOpts;
  const log = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  // SHOAL_BENCH_NODE_ARGS: extra node flags for the Shoal members (e.g. GC tuning experiments).
  const nodeArgs: string[] = (process.env.SHOAL_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  if (values['cpu-prof']) {
    const dir = resolve(values['cpu-prof']);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }

  const shoalMode = values.shoal;
  if (!['daemon', 'kv', 'both'].includes(shoalMode)) throw new Error(`--shoal: must be daemon, kv or both, got "${shoalMode}"`);
  const serverArgs = [
    ...(values['snapshot-entries'] ? ['--snapshot-entries', values['snapshot-entries']] : []),
    ...(values['snapshot-log-ratio'] ? ['--snapshot-log-ratio', values['snapshot-log-ratio']] : []),
  ];
  // The same settings for the daemons, through their config's timing section.
  const daemonTiming: Record<string, number> = {
    ...(values['snapshot-entries'] ? { snapshotEntries: Number(values['snapshot-entries']) } : {}),
    ...(values['snapshot-log-ratio'] ? { snapshotLogPercent: Math.round(Number(values['snapshot-log-ratio']) * 100) } : {}),
  };
  const result: Record<string, unknown> = {
    clients, durationS: duration, warmupS: loadOpts.warmup, valueBytes: 256, shoalSide: shoalMode, shoalTiming: DEFAULT_TIMING,
    snapshotEntries: values['snapshot-entries'] ?? 'default', snapshotLogRatio: values['snapshot-log-ratio'] ?? 'default', etcdSnapshotCount: values['etcd-snapshot-count'] ?? 'default',
  };
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: must be a whole number of at least 1, got "${values.rounds}"`);
  const etcdArgs = values['etcd-snapshot-count'] ? ['--snapshot-count', values['etcd-snapshot-count']] : [];
  // With --cpu-prof the nodes get SIGTERM and a moment to write their profiles.
  const grace = values['cpu-prof'] ? 5000 : 0;
  // Each side: its name, its run, and the client its load uses (for the load generator's warm-up).
  const runners: Array<[string, () => Promise<SideResult>, (address: string) => KvClient]> = [];
  if (values.only !== 'etcd' && shoalMode !== 'kv') {
    ensureDocker();
    runners.push(['shoal', () => runSide(async () => new DaemonCluster(nodeArgs, daemonTiming), loadOpts, log), shoaldClient]);
  }
  if (values.only !== 'etcd' && shoalMode !== 'daemon') {
    runners.push(['shoal-kv', () => runSide(() => shoalCluster(3, DEFAULT_TIMING, nodeArgs, serverArgs), loadOpts, log, grace), shoalClient]);
  }
  if (values.only !== 'shoal') runners.push(['etcd', () => runSide(() => etcdCluster(3, etcdArgs), loadOpts, log), etcdClient]);

  const lgWarmup = Number(values['lg-warmup']);
  if (!(lgWarmup >= 0)) throw new Error(`--lg-warmup: must be a number of seconds, at least 0, got "${values['lg-warmup']}"`);
  if (lgWarmup > 0) await warmLoadGenerator(runners.map(([, , client]) => client), clients, lgWarmup, log);

  const outcomes: RoundOutcome[] = [];
  for (let r = 1; r <= rounds; r++) {
    if (rounds > 1) log(`\n=== round ${r} of ${rounds}${r % 2 === 0 ? ' (etcd first)' : ''}`);
    // Every other round runs etcd first, so that the host's drift over a
    // series does not always fall on the same side.
    const order = r % 2 === 0 ? [...runners].sort(([a], [b]) => Number(b === 'etcd') - Number(a === 'etcd')) : runners;
    const sides: Array<[string, SideResult]> = [];
    for (const [name, run] of order) sides.push([name, await run()]);
    sides.sort(([a], [b]) => runners.findIndex(([n]) => n === a) - runners.findIndex(([n]) => n === b));
    outcomes.push(report(sides, log));
  }
  if (rounds === 1) {
    Object.assign(result, outcomes[0]!.json);
  } else {
    result.rounds = outcomes.map((o) => o.json);
    result.summary = summarize(outcomes, log);
  }
  if (values.json) log(JSON.stringify(result));
}
