/**
 * Runs the local cluster's daemons as background processes: one `shoald` per
 * node of a cluster config, PIDs in .shoal/run, logs in .shoal/logs. Only the
 * PIDs recorded here are ever signalled.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { cgroup2Root, joinCgroup, removeCgroup, type FaultTarget } from './faults.js';
import { loadConfig, type DaemonConfig, type NodeSettings } from '@shoal/daemon';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const DAEMON = join(ROOT, 'packages/daemon/dist/main.js');

export class LocalCluster {
  readonly config: DaemonConfig;
  readonly runDir: string;
  readonly logDir: string;
  /** Flags for node itself, before the daemon's script (e.g. --cpu-prof for a benchmark). */
  nodeArgs: string[] = [];

  constructor(readonly configPath: string, stateDir = join(ROOT, '.shoal')) {
    const first = readFirstNodeName(configPath);
    this.config = loadConfig(configPath, first);
    this.runDir = join(stateDir, 'run');
    this.logDir = join(stateDir, 'logs');
  }

  get nodes(): NodeSettings[] {
    return this.config.nodes;
  }

  node(name: string): NodeSettings {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node "${name}" in ${this.configPath} (have: ${this.nodes.map((x) => x.name).join(', ')})`);
    return n;
  }

  pidFile(name: string): string {
    return join(this.runDir, `${name}.pid`);
  }

  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  /** The PID of a running daemon we started, or undefined. */
  pid(name: string): number | undefined {
    const f = this.pidFile(name);
    if (!existsSync(f)) return undefined;
    const pid = Number(readFileSync(f, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return isAlive(pid) ? pid : undefined;
  }

  start(name: string, extraArgs: string[] = []): number {
    const existing = this.pid(name);
    if (existing) return existing;
    if (!existsSync(DAEMON)) throw new Error(`${DAEMON} is missing: build first (npx tsc -b)`);
    mkdirSync(this.runDir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
    const out = openSync(this.logFile(name), 'a');
    const child = spawn(process.execPath, [...this.nodeArgs, DAEMON, '--config', this.configPath, '--node', name, ...extraArgs], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env },
    });
    closeSync(out);
    if (!child.pid) throw new Error(`could not start ${name}`);
    child.unref();
    writeFileSync(this.pidFile(name), `${child.pid}\n`);
    // Its own cgroup lets network faults pick out this daemon's packets.
    if (cgroup2Root()) joinCgroup(this.cgroup(name), child.pid);
    return child.pid;
  }

  /** The cgroup (v2, relative to its root) a node's daemon runs in. */
  cgroup(name: string): string {
    return `shoal/${this.config.cluster.id}/${name}`;
  }

  /** A node as network faults address it. */
  faultTarget(name: string): FaultTarget {
    return { address: this.node(name).address, cgroup: this.cgroup(name) };
  }

  /** SIGKILL, like a crash. */
  kill(name: string): boolean {
    const pid = this.pid(name);
    if (!pid) return false;
    process.kill(pid, 'SIGKILL');
    return true;
  }

  signal(name: string, sig: NodeJS.Signals): boolean {
    const pid = this.pid(name);
    if (!pid) return false;
    process.kill(pid, sig);
    return true;
  }

  /** SIGTERM, wait up to `graceMs`, then SIGKILL. */
  async stop(name: string, graceMs = 10_000): Promise<void> {
    const pid = this.pid(name);
    if (pid) {
      process.kill(pid, 'SIGCONT'); // a paused daemon cannot handle SIGTERM
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (isAlive(pid) && Date.now() < deadline) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(50);
    }
    rmSync(this.pidFile(name), { force: true });
    // A killed daemon stays in its cgroup until its parent reaps it: retry briefly.
    for (let i = 0; i < 40 && !removeCgroup(this.cgroup(name)); i++) await sleep(50);
  }

  apiAddress(name: string): string {
    const n = this.node(name);
    return `${n.address}:${n.apiPort}`;
  }

  apiAddresses(): string[] {
    return this.nodes.map((n) => `${n.address}:${n.apiPort}`);
  }

  /** Wait until the node's API port accepts connections. */
  async waitListening(name: string, timeoutMs = 30_000): Promise<void> {
    const n = this.node(name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.pid(name)) throw new Error(`${name} exited; see ${this.logFile(name)}`);
      if (await canConnect(n.address, n.apiPort)) return;
      if (Date.now() > deadline) throw new Error(`${name} did not listen on ${n.address}:${n.apiPort} within ${timeoutMs} ms; see ${this.logFile(name)}`);
      await sleep(100);
    }
  }
}

function readFirstNodeName(path: string): string {
  const doc = parseYaml(readFileSync(path, 'utf8')) as { nodes?: { name?: unknown }[] } | null;
  const name = doc?.nodes?.[0]?.name;
  return typeof name === 'string' ? name : 'node-1';
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is not alive; /proc tells the state.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(500, () => done(false));
  });
}
