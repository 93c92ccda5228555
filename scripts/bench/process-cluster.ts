/**
 * Three-member clusters as child processes on loopback, for the Raft
 * benchmark and the end-to-end test: Shoal's raft-kv-server or etcd. Every
 * process is killed by PID and every temp dir removed by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdClient, shoalClient, type KvClient } from './kv-clients.js';

export interface MemberSpec {
  id: string;
  clientAddress: string;
  command: string;
  args: string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** What the Raft benchmark needs of a cluster under test. */
export interface BenchCluster {
  readonly name: string;
  readonly members: ReadonlyArray<{ id: string }>;
  /** One client per member, in member order. */
  readonly clients: KvClient[];
  readonly endpoints: string[];
  readonly dir: string;
  pids(): number[];
  startAll(): Promise<void>;
  start(i: number): void;
  kill(i: number): void;
  openClients(n: number): KvClient[];
  /** Index of the member every live member agrees leads. */
  waitLeader(timeoutMs: number): Promise<number>;
  stop(keepDir?: boolean, graceMs?: number): Promise<void>;
}

/** Polls every member's status until all live ones name the same leader; its index. */
export async function leaderIndex(cluster: Pick<BenchCluster, 'name' | 'clients' | 'dir'>, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const seen = await Promise.all(cluster.clients.map((c) => c.status(500).catch(() => undefined)));
    const live = seen.filter((s) => s !== undefined);
    const leader = live[0]?.leader;
    if (live.length === cluster.clients.length && leader && leader !== '0' && live.every((s) => s.leader === leader)) {
      const i = seen.findIndex((s) => s?.self === leader);
      if (i >= 0) return i;
    }
    if (Date.now() > end) throw new Error(`${cluster.name}: no leader after ${timeoutMs} ms (logs in ${cluster.dir})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class ProcessCluster implements BenchCluster {
  readonly procs: Array<ChildProcess | undefined> = [];
  readonly clients: KvClient[];

  constructor(
    readonly name: string,
    readonly members: MemberSpec[],
    readonly dir: string,
    private readonly makeClient: (address: string) => KvClient,
  ) {
    this.clients = members.map((m) => makeClient(m.clientAddress));
  }

  private readonly extraClients: KvClient[] = [];

  get endpoints(): string[] {
    return this.members.map((m) => m.clientAddress);
  }

  pids(): number[] {
    return this.procs.flatMap((p) => (p?.pid !== undefined && p.exitCode === null && p.signalCode === null ? [p.pid] : []));
  }

  start(i: number): void {
    const m = this.members[i]!;
    const log = createWriteStream(join(this.dir, `${m.id}.log`), { flags: 'a' });
    const p = spawn(m.command, m.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.pipe(log);
    p.stderr!.pipe(log);
    this.procs[i] = p;
  }

  async startAll(): Promise<void> {
    for (let i = 0; i < this.members.length; i++) this.start(i);
    await this.waitLeader(60_000);
  }

  /** `n` extra client connections spread over the members, for load generation. */
  openClients(n: number): KvClient[] {
    const out = Array.from({ length: n }, (_, i) => this.makeClient(this.members[i % this.members.length]!.clientAddress));
    this.extraClients.push(...out);
    return out;
  }

  kill(i: number): void {
    const p = this.procs[i];
    if (p?.pid !== undefined && p.exitCode === null && p.signalCode === null) process.kill(p.pid, 'SIGKILL');
  }

  waitLeader(timeoutMs: number): Promise<number> {
    return leaderIndex(this, timeoutMs);
  }

  /**
   * Stops every process by PID (SIGTERM, then SIGKILL after `graceMs`;
   * straight SIGKILL when 0) and removes the data dirs.
   */
  async stop(keepDir = false, graceMs = 0): Promise<void> {
    for (const c of [...this.clients, ...this.extraClients]) c.close();
    const waits = this.procs.map((p) =>
      p && p.exitCode === null && p.signalCode === null ? new Promise<void>((r) => p.once('exit', () => r())) : Promise.resolve());
    if (graceMs > 0) {
      for (const pid of this.pids()) process.kill(pid, 'SIGTERM');
      await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, graceMs))]);
    }
    for (let i = 0; i < this.procs.length; i++) this.kill(i);
    await Promise.all(waits);
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

const SERVER = fileURLToPath(new URL('./raft-kv-server.ts', import.meta.url));

export interface ShoalTiming {
  tickMs: number;
  heartbeatMs: number;
  electionMs: number;
}

export const DEFAULT_TIMING: ShoalTiming = { tickMs: 25, heartbeatMs: 50, electionMs: 250 };

/** `nodeArgs` go to node before the script (e.g. --cpu-prof). */
/** `serverArgs` go to raft-kv-server after the defaults (e.g. --snapshot-entries). */
export async function shoalCluster(size = 3, timing: ShoalTiming = DEFAULT_TIMING, nodeArgs: string[] = [], serverArgs: string[] = []): Promise<ProcessCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-raft-'));
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const ids = ports.map((_, i) => `n${i + 1}`);
  const peers = ids.map((id, i) => `${id}=127.0.0.1:${ports[i]}`).join(',');
  const members = ids.map((id, i) => ({
    id,
    clientAddress: `127.0.0.1:${ports[i]}`,
    command: process.execPath,
    args: [...nodeArgs, '--conditions=@shoal/source', '--import', 'tsx', SERVER, '--id', id, '--port', String(ports[i]),
      '--data', join(dir, id), '--peers', peers, '--tick-ms', String(timing.tickMs),
      '--heartbeat-ms', String(timing.heartbeatMs), '--election-ms', String(timing.electionMs), ...(process.env.SHOAL_BENCH_STATS ? ['--stats'] : []), '--log-level', process.env.SHOAL_BENCH_LOG ?? 'warn', ...serverArgs],
  }));
  return new ProcessCluster('shoal-kv', members, dir, shoalClient);
}

/** Installs Debian's etcd-server when `etcd` is not on PATH. */
export function ensureEtcd(): string {
  const which = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' });
  if (which.status === 0) return which.stdout.trim();
  process.stderr.write('etcd not found; installing etcd-server with apt-get\n');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', 'etcd-server']]) {
    const r = spawnSync(sudo[0] ?? args[0]!, [...sudo.slice(1), ...(sudo.length ? args : args.slice(1))], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed`);
  }
  return ensureEtcd();
}

/** `extraArgs` go to every etcd member after the defaults (e.g. --snapshot-count). */
export async function etcdCluster(size = 3, extraArgs: string[] = []): Promise<ProcessCluster> {
  const etcd = ensureEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-etcd-'));
  const clientPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const peerPorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const names = clientPorts.map((_, i) => `e${i + 1}`);
  const initial = names.map((n, i) => `${n}=http://127.0.0.1:${peerPorts[i]}`).join(',');
  const members = names.map((name, i) => ({
    id: name,
    clientAddress: `127.0.0.1:${clientPorts[i]}`,
    command: etcd,
    args: ['--name', name, '--data-dir', join(dir, name),
      '--listen-client-urls', `http://127.0.0.1:${clientPorts[i]}`, '--advertise-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--listen-peer-urls', `http://127.0.0.1:${peerPorts[i]}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPorts[i]}`,
      '--initial-cluster', initial, '--initial-cluster-token', 'shoal-bench', '--initial-cluster-state', 'new',
      '--logger', 'zap', '--log-level', 'error', ...extraArgs],
  }));
  return new ProcessCluster('etcd', members, dir, etcdClient);
}
