/**
 * Three real `shoald` daemons (a PrivateCluster: own loopback addresses, pod
 * subnet and bridge) behind the interface the Raft benchmark drives, so its
 * Shoal side goes through the whole write path: the object API, validation,
 * the Raft log on LevelDB, the object store and its watchers. Stopped by PID;
 * containers, networks and rules are removed by PrivateCluster.close().
 */
import { PrivateCluster } from '../lib/private-cluster.js';
import { shoaldClient, type KvClient } from './kv-clients.js';
import { leaderIndex, type BenchCluster } from './process-cluster.js';

export class DaemonCluster implements BenchCluster {
  readonly name = 'shoal';
  readonly pc: PrivateCluster;
  readonly members: Array<{ id: string }>;
  readonly clients: KvClient[];
  private readonly extra: KvClient[] = [];

  /** `nodeArgs` go to node before the daemon's script (e.g. --cpu-prof). */
  constructor(nodeArgs: string[] = [], timing?: Record<string, number>) {
    this.pc = new PrivateCluster({ net: 239, ...(timing ? { timing } : {}) });
    this.pc.cluster.nodeArgs = nodeArgs;
    this.members = this.pc.names.map((id) => ({ id }));
    this.clients = this.endpoints.map((a) => shoaldClient(a));
  }

  get dir(): string {
    return this.pc.dir;
  }

  get endpoints(): string[] {
    return this.pc.names.map((n) => this.pc.cluster.apiAddress(n));
  }

  pids(): number[] {
    return this.pc.names.flatMap((n) => this.pc.cluster.pid(n) ?? []);
  }

  async startAll(): Promise<void> {
    await this.pc.start();
    await this.waitLeader(60_000);
  }

  start(i: number): void {
    this.pc.cluster.start(this.pc.names[i]!);
  }

  kill(i: number): void {
    this.pc.cluster.kill(this.pc.names[i]!);
  }

  openClients(n: number): KvClient[] {
    const out = Array.from({ length: n }, (_, i) => shoaldClient(this.endpoints[i % this.endpoints.length]!));
    this.extra.push(...out);
    return out;
  }

  waitLeader(timeoutMs: number): Promise<number> {
    return leaderIndex(this, timeoutMs);
  }

  /** PrivateCluster's cleanup: SIGTERM with 5 s to exit (so CPU profiles get written), then SIGKILL. */
  async stop(keepDir = false): Promise<void> {
    for (const c of [...this.clients, ...this.extra]) c.close();
    await this.pc.close(keepDir);
  }
}
