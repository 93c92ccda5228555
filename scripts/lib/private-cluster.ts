/**
 * A private local cluster for one test or benchmark: its own loopback
 * addresses, ports, node names, data directory, pod subnet and pod bridge
 * network (10.<net>.0.0/16 on `sh-<prefix>`), so tests never collide
 * with each other or with `npm run cluster`. `close()` stops exactly the
 * daemons it started (by PID) and removes their containers and files; tap's
 * teardown calls it even when the test fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShoalClient } from '@shoal/client';
import Docker from 'dockerode';
import { IptablesNetfilter, removeBridgeNetwork, removeNodeRules } from '@shoal/network';
import type { Node, Pod } from '@shoal/api';
import { LocalCluster, sleep } from './local-cluster.js';
import { removeNodeContainers, removeNodeVolumes, waitForLeader, waitForNodes } from './cluster-ops.js';

export interface PrivateClusterOptions {
  nodes?: number;
  /** Second octet block for addresses: 127.<net>.<n>.1 per node. */
  net?: number;
  profile?: 'local' | 'lan';
  /** Extra YAML under `timing:`. */
  timing?: Record<string, number>;
  targetVoters?: number;
}

let counter = 0;

export class PrivateCluster {
  readonly cluster: LocalCluster;
  readonly dir: string;
  readonly prefix: string;
  /** The pods' Docker network, removed by close(). */
  readonly bridgeNetwork: string;
  private clients: ShoalClient[] = [];

  constructor(opts: PrivateClusterOptions = {}) {
    const n = opts.nodes ?? 3;
    counter++;
    // A short unique prefix keeps node names DNS labels and container labels apart.
    this.prefix = `e${(process.pid % 9000) + counter}`;
    const net = opts.net ?? 50 + ((process.pid + counter) % 150);
    this.dir = mkdtempSync(join(tmpdir(), `shoal-${this.prefix}-`));
    const nodes = Array.from({ length: n }, (_, i) => `  - { name: ${this.prefix}-n${i + 1}, address: 127.${net}.${i + 1}.1 }`).join('\n');
    // Pods get this cluster's own subnet (never the Services' 10.96.0.0/16) and bridge.
    const podSubnet = `10.${net === 96 ? 200 : net}.0.0/16`;
    this.bridgeNetwork = `sh-${this.prefix}`;
    const timing = opts.timing ? `timing:\n${Object.entries(opts.timing).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n` : '';
    const config = `cluster:
  id: ${this.prefix}
  profile: ${opts.profile ?? 'local'}
  targetVoters: ${opts.targetVoters ?? Math.min(3, n % 2 ? n : n - 1)}
  podSubnet: ${podSubnet}
  bridgeNetwork: ${this.bridgeNetwork}
${timing}defaults:
  apiPort: 7100
  gossipPort: 7300
  metricsPort: 9100
  dataDir: ${this.dir}/data/\${name}
  logLevel: info
nodes:
${nodes}
`;
    const path = join(this.dir, 'cluster.yaml');
    writeFileSync(path, config);
    this.cluster = new LocalCluster(path, join(this.dir, 'state'));
  }

  get names(): string[] {
    return this.cluster.nodes.map((n) => n.name);
  }

  /** Start every node (or the given ones) and wait for a leader and those nodes Ready. */
  async start(nodes: string[] = this.names): Promise<void> {
    for (const n of nodes) this.cluster.start(n);
    for (const n of nodes) await this.cluster.waitListening(n);
    await waitForLeader(this.cluster, 30_000);
    await waitForNodes(this.cluster, nodes.length, 60_000);
  }

  /** A client over every node (fails over), or over the given ones. */
  client(nodes: string[] = this.names, timeoutMs = 5_000): ShoalClient {
    const c = new ShoalClient({ servers: nodes.map((n) => this.cluster.apiAddress(n)), timeoutMs });
    this.clients.push(c);
    return c;
  }

  async leader(): Promise<string> {
    return waitForLeader(this.cluster, 30_000);
  }

  /** Poll `check` until it returns a value (not undefined) or time runs out. */
  async until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
      await sleep(everyMs);
    }
  }

  async pods(selector: string, c = this.client()): Promise<Pod[]> {
    return (await c.list<Pod>('Pod', { namespace: 'default', labelSelector: selector })).items;
  }

  static ready(p: Pod): boolean {
    return !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  }

  async readyNodes(c = this.client()): Promise<string[]> {
    const { items } = await c.list<Node>('Node');
    return items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).map((n) => n.metadata.name);
  }

  logTail(node: string): string {
    return this.cluster.logFile(node);
  }

  /**
   * Stop every daemon we started, remove their containers and our files
   * (kept with `keepFiles`, or SHOAL_KEEP_TEST_DIRS=1, for diagnosis).
   */
  async close(keepFiles = !!process.env['SHOAL_KEEP_TEST_DIRS']): Promise<void> {
    for (const c of this.clients) c.close();
    await Promise.all(this.names.map((n) => this.cluster.stop(n, 5_000).catch(() => undefined)));
    await removeNodeContainers(this.names).catch(() => 0);
    await removeNodeVolumes(this.names).catch(() => 0);
    // A node killed and never restarted could not remove its own VIP rules.
    const nf = new IptablesNetfilter();
    for (const n of this.names) await removeNodeRules(nf, n).catch(() => 0);
    await removeBridgeNetwork(new Docker(), this.bridgeNetwork).catch(() => false);
    if (!keepFiles) rmSync(this.dir, { recursive: true, force: true });
  }
}
