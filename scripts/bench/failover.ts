/**
 * npm run bench -- failover [--trials N] [--json]
 *
 * On a private three-node cluster (real processes, real Docker):
 *  - leader failover: SIGKILL the leader, time until a write succeeds
 *    through another node;
 *  - worker loss: SIGKILL a worker's daemon and `docker kill` its
 *    containers, time until the Deployment is back to full readiness on the
 *    survivors.
 * Each trial restarts the killed node and lets the cluster settle first.
 * Prints median and max of each; goals on the local profile: leader failover
 * median <= 0.5 s and max <= 1 s, worker loss <= 5 s.
 */
import Docker from 'dockerode';
import type { Deployment, Pod } from '@shoal/api';
import { PrivateCluster } from '../lib/private-cluster.js';
import { sleep } from '../lib/local-cluster.js';

function flag(argv: string[], name: string, def: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const max = (xs: number[]) => Math.max(...xs);

export default async function failover(argv: string[]): Promise<void> {
  const trials = flag(argv, '--trials', 10);
  const json = argv.includes('--json');
  const docker = new Docker();
  const pc = new PrivateCluster({ net: 240 });
  const cleanup = () => pc.close();
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    process.stderr.write('[failover] starting a private three-node cluster\n');
    await pc.start();
    const c = pc.client(pc.names, 1_000);
    await c.apply({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fo' },
      spec: {
        replicas: 6, selector: { matchLabels: { app: 'fo' } },
        template: { metadata: { labels: { app: 'fo' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'm', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }] } },
      },
    });
    const scale = async (replicas: number) => {
      const d = await c.get<Deployment>('Deployment', 'fo');
      await c.update({ ...d, spec: { ...d.spec!, replicas } });
    };
    const readyOn = async (nodes: string[]) => {
      const ps = (await c.list<Pod>('Pod', { namespace: 'default', labelSelector: 'app=fo' })).items;
      return ps.filter((p) => PrivateCluster.ready(p) && nodes.includes(p.spec?.nodeName ?? '')).length;
    };
    const settle = async () => {
      for (const n of pc.names) if (!pc.cluster.pid(n)) pc.cluster.start(n);
      for (const n of pc.names) await pc.cluster.waitListening(n);
      await pc.until('the cluster to settle', async () => ((await readyOn(pc.names)) === 6 && (await pc.readyNodes(c)).length === 3 ? true : undefined), 120_000);
      await sleep(2_000);
    };

    const leaderMs: number[] = [];
    const workerMs: number[] = [];
    for (let i = 0; i < trials; i++) {
      await settle();
      const leader = await pc.leader();
      const others = pc.names.filter((n) => n !== leader);
      const oc = pc.client(others, 300);
      const t0 = performance.now();
      pc.cluster.kill(leader);
      for (let k = 0; ; k++) {
        try {
          await oc.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fo-${i}`, namespace: 'default' }, data: { k: String(k) } });
          break;
        } catch {
          await sleep(10);
        }
      }
      leaderMs.push(performance.now() - t0);
      process.stderr.write(`[failover] trial ${i + 1}/${trials}: leader failover ${leaderMs.at(-1)!.toFixed(0)} ms\n`);
      oc.close();

      await settle();
      // Spread the pods 2-2-2 again (nothing rebalances a running Deployment), so the victim has some.
      await scale(0);
      await pc.until('no pods', async () => ((await c.list<Pod>('Pod', { namespace: 'default', labelSelector: 'app=fo' })).items.length === 0 ? true : undefined), 60_000);
      await scale(6);
      await settle();
      const l2 = await pc.leader();
      const counts = async (n: string) => (await c.list<Pod>('Pod', { namespace: 'default', labelSelector: 'app=fo' })).items.filter((p) => p.spec?.nodeName === n).length;
      const candidates = pc.names.filter((n) => n !== l2);
      const victim = (await counts(candidates[0]!)) >= (await counts(candidates[1]!)) ? candidates[0]! : candidates[1]!;
      const survivors = pc.names.filter((n) => n !== victim);
      const lost = await counts(victim);
      const t1 = performance.now();
      pc.cluster.kill(victim);
      const theirs = await docker.listContainers({ filters: { label: [`io.shoal.owner-node=${victim}`] } });
      await Promise.all(theirs.map((x) => docker.getContainer(x.Id).kill().catch(() => undefined)));
      await pc.until('replacement pods', async () => ((await readyOn(survivors).catch(() => 0)) === 6 ? true : undefined), 120_000, 50);
      workerMs.push(performance.now() - t1);
      process.stderr.write(`[failover] trial ${i + 1}/${trials}: worker loss (${lost} pods on it) to 6 ready ${workerMs.at(-1)!.toFixed(0)} ms\n`);
    }
    const result = {
      trials,
      leaderFailoverMs: { median: Math.round(median(leaderMs)), max: Math.round(max(leaderMs)) },
      workerLossMs: { median: Math.round(median(workerMs)), max: Math.round(max(workerMs)) },
    };
    console.log(`leader failover:   median ${result.leaderFailoverMs.median} ms, max ${result.leaderFailoverMs.max} ms (goal: median <= 500, max <= 1000)`);
    console.log(`worker loss -> 6 ready: median ${result.workerLossMs.median} ms, max ${result.workerLossMs.max} ms (goal: <= 5000)`);
    if (json) console.log(JSON.stringify(result));
  } finally {
    await cleanup();
  }
}
