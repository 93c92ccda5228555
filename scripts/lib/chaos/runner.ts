/**
 * A chaos run: a workload keeps going (Deployments scaled and updated, KV
 * clients reading and writing) while a scenario injects faults; afterwards
 * the cluster must converge and the invariants must hold. The result is one
 * verdict line; every fault, process and object the run made is undone.
 */
import { writeFileSync } from 'node:fs';
import Docker from 'dockerode';
import type { Deployment, Pod, StatefulSet } from '@shoal/api';
import { ShoalClient } from '@shoal/client';
import { checkHistory, formatHistory, type Operation } from '@shoal/lincheck';
import type { LocalCluster } from '../local-cluster.js';
import { sleep } from '../local-cluster.js';
import { NetworkFaults } from '../faults.js';
import { waitForLeader } from '../cluster-ops.js';
import { KvClient } from './kv-client.js';
import { SCENARIOS, seeded, type Rng } from './scenarios.js';

export interface ChaosOptions {
  cluster: LocalCluster;
  scenario: string;
  durationS: number;
  seed: number;
  /** Where the operation history goes (JSON lines). */
  historyFile?: string;
  /** How long the cluster has to converge after the last fault. */
  convergeS?: number;
  faultMs?: number;
  kvClients?: number;
  log?: (msg: string) => void;
}

export interface ChaosResult {
  ok: boolean;
  verdict: string;
  violations: string[];
  operations: number;
  faults: number;
  convergedMs: number;
}

const PREFIX = 'chaos';

function sleeperSet(replicas: number): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `${PREFIX}-db` },
    spec: {
      replicas,
      serviceName: `${PREFIX}-db`,
      selector: { matchLabels: { app: `${PREFIX}-db` } },
      template: {
        metadata: { labels: { app: `${PREFIX}-db` } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'db', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'], resources: { requests: { cpu: '10m', memory: '8Mi' } } }],
        },
      },
    },
  };
}

function sleeperDeployment(replicas: number, version: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${PREFIX}-web` },
    spec: {
      replicas,
      selector: { matchLabels: { app: `${PREFIX}-web` } },
      template: {
        metadata: { labels: { app: `${PREFIX}-web` } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'web', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'], env: [{ name: 'VERSION', value: version }], resources: { requests: { cpu: '10m', memory: '8Mi' } } }],
        },
      },
    },
  };
}

/** Samples the engine for app containers of each StatefulSet ordinal; more than one running at once is a violation. */
class OrdinalMonitor {
  readonly violations: string[] = [];
  private running = true;
  private done: Promise<void>;

  constructor(nodes: string[]) {
    const docker = new Docker();
    this.done = (async () => {
      while (this.running) {
        const perPod = new Map<string, string[]>();
        for (const n of nodes) {
          const list = await docker.listContainers({ filters: { label: [`io.shoal.owner-node=${n}`, 'io.shoal.role=container', `io.shoal.pod-namespace=default`] } }).catch(() => []);
          for (const c of list) {
            const pod = c.Labels['io.shoal.pod-name'] ?? '';
            if (!pod.startsWith(`${PREFIX}-db-`)) continue;
            perPod.set(pod, [...(perPod.get(pod) ?? []), `${n}:${c.Id.slice(0, 12)}`]);
          }
        }
        for (const [pod, cs] of perPod) if (cs.length > 1) this.violations.push(`${pod} ran twice at once: ${cs.join(', ')}`);
        await sleep(300);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? ((m: string) => console.log(`[chaos] ${m}`));
  const scenario = SCENARIOS[o.scenario];
  if (!scenario) throw new Error(`unknown scenario "${o.scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const { cluster } = o;
  const rng: Rng = seeded(o.seed);
  const faults = new NetworkFaults(`run-${process.pid}-${o.seed}`);
  const names = cluster.nodes.map((n) => n.name);
  const client = new ShoalClient({ servers: cluster.apiAddresses(), timeoutMs: 3_000 });
  const history: Operation[] = [];
  const violations: string[] = [];
  let faultCount = 0;
  let convergedMs = -1;
  const monitor = new OrdinalMonitor(names);

  try {
    await waitForLeader(cluster, 30_000);
    log(`scenario ${o.scenario}, ${o.durationS} s, seed ${o.seed}`);
    let replicas = 3;
    await client.apply(sleeperDeployment(replicas, 'v1'));
    await client.apply(sleeperSet(2));

    // ---- the workload
    let working = true;
    const kvConns = Array.from({ length: o.kvClients ?? 3 }, () => new ShoalClient({ servers: cluster.apiAddresses(), timeoutMs: 2_000 }));
    const kvs = kvConns.map((conn, i) => new KvClient(`c${i}`, conn, (op) => history.push(op), `${PREFIX}-kv-`));
    const keys = ['a', 'b', 'c', 'd'];
    const kvLoops = kvs.map(async (kv, i) => {
      const r = seeded(o.seed * 31 + i);
      let n = 0;
      while (working) {
        const key = r.pick(keys);
        const x = r.next();
        if (x < 0.4) await kv.get(key);
        else if (x < 0.7) await kv.put(key, `${kv.id}-${n++}`);
        else await kv.cas(key, Math.floor(r.next() * 4), `${kv.id}-${n++}`);
      }
    });
    const driver = (async () => {
      let version = 1;
      while (working) {
        await sleep(3_000);
        if (!working) break;
        try {
          if (rng.next() < 0.5) replicas = 2 + Math.floor(rng.next() * 3);
          else version++;
          await client.apply(sleeperDeployment(replicas, `v${version}`));
        } catch {
          // the cluster may be between leaders; the next round tries again
        }
      }
    })();

    // ---- faults
    const until = Date.now() + o.durationS * 1000;
    while (Date.now() < until) {
      await scenario({ cluster, faults, rng, log, faultMs: o.faultMs ?? 2_000 });
      faultCount++;
      await sleep(1_000 + Math.floor(rng.next() * 1_000));
    }
    working = false;
    await Promise.all([...kvLoops, driver]);
    for (const conn of kvConns) conn.close();

    // ---- undo and converge
    await faults.heal();
    for (const n of names) {
      cluster.signal(n, 'SIGCONT');
      if (!cluster.pid(n)) cluster.start(n);
    }
    const t0 = Date.now();
    const deadline = t0 + (o.convergeS ?? 90) * 1000;
    for (;;) {
      const why = await notConverged(cluster, client, replicas);
      if (!why) break;
      if (Date.now() > deadline) {
        violations.push(`did not converge within ${o.convergeS ?? 90} s: ${why}`);
        break;
      }
      await sleep(500);
    }
    if (violations.length === 0) convergedMs = Date.now() - t0;

    // ---- invariants
    // A final read of every key joins the history: acknowledged writes must be visible.
    const reader = new KvClient('final', client, (op) => history.push(op), `${PREFIX}-kv-`);
    for (const k of keys) await reader.get(k);
    if (o.historyFile) writeFileSync(o.historyFile, formatHistory(history));
    const lin = checkHistory(history);
    if (lin.verdict !== 'ok') {
      for (const k of lin.keys.filter((x) => x.verdict !== 'ok')) violations.push(`key ${k.key}: ${k.verdict} (${k.operations} operations${k.stuck?.length ? `; cannot place ${JSON.stringify(k.stuck[0])}` : ''})`);
    }
    await monitor.stop();
    violations.push(...monitor.violations.slice(0, 5));
  } finally {
    await monitor.stop();
    await faults.heal().catch(() => 0);
    // Remove what the run created.
    for (const [kind, name] of [['Deployment', `${PREFIX}-web`], ['StatefulSet', `${PREFIX}-db`]] as const) await client.delete(kind, name).catch(() => undefined);
    const { items } = await client.list('ConfigMap', { namespace: 'default' }).catch(() => ({ items: [] as { metadata: { name: string } }[] }));
    for (const cm of items) if (cm.metadata.name.startsWith(`${PREFIX}-kv-`)) await client.delete('ConfigMap', cm.metadata.name).catch(() => undefined);
    client.close();
  }
  const left = await faults.rules().catch(() => ['?']);
  if (left.length) violations.push(`${left.length} iptables rules left behind`);

  const ok = violations.length === 0;
  const verdict = `chaos: scenario=${o.scenario} seed=${o.seed} duration=${o.durationS}s faults=${faultCount} operations=${history.length} converged=${convergedMs >= 0 ? `${convergedMs}ms` : 'no'} violations=${violations.length} verdict=${ok ? 'PASS' : 'FAIL'}`;
  return { ok, verdict, violations, operations: history.length, faults: faultCount, convergedMs };
}

/** Why the cluster has not converged yet, or undefined when it has. */
async function notConverged(cluster: LocalCluster, client: ShoalClient, replicas: number): Promise<string | undefined> {
  const applied: number[] = [];
  for (const n of cluster.nodes) {
    if (!cluster.pid(n.name)) return `${n.name} is not running`;
    const c = new ShoalClient({ servers: [cluster.apiAddress(n.name)], timeoutMs: 1_000 });
    try {
      const s = await c.raftStatus();
      if (!s.leader_id) return `${n.name} knows no leader`;
      applied.push(s.applied_index);
    } catch (err) {
      return `${n.name} does not answer: ${(err as Error).message}`;
    } finally {
      c.close();
    }
  }
  if (Math.max(...applied) - Math.min(...applied) > 50) return `applied indexes differ: ${applied.join(', ')}`;
  try {
    const pods = (await client.list<Pod>('Pod', { namespace: 'default', labelSelector: `app=${PREFIX}-web` })).items;
    const ready = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (ready.length !== replicas) return `${ready.length}/${replicas} web pods ready`;
    const d = await client.get<Deployment>('Deployment', `${PREFIX}-web`);
    if (d.status?.updatedReplicas !== replicas || (d.status?.replicas ?? 0) !== replicas) return 'the web rollout is not finished';
  } catch (err) {
    return `cannot read the workload: ${(err as Error).message}`;
  }
  return undefined;
}
