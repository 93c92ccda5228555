/**
 * Fault scenarios against a local cluster. Each takes the cluster, a fault
 * injector and a seeded random source, causes one fault episode and undoes
 * it; the runner repeats episodes for the run's duration.
 */
import Docker from 'dockerode';
import { ShoalClient } from '@shoal/client';
import type { LocalCluster } from '../local-cluster.js';
import { sleep } from '../local-cluster.js';
import type { NetworkFaults } from '../faults.js';

export interface Rng {
  next(): number;
  pick<T>(xs: readonly T[]): T;
}

export function seeded(seed: number): Rng {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

export interface ScenarioContext {
  cluster: LocalCluster;
  faults: NetworkFaults;
  rng: Rng;
  log: (msg: string) => void;
  /** How long one fault lasts before it is undone. */
  faultMs: number;
}

async function leaderOf(cluster: LocalCluster): Promise<string | undefined> {
  const alive = cluster.nodes.filter((n) => cluster.pid(n.name)).map((n) => cluster.apiAddress(n.name));
  const c = new ShoalClient({ servers: alive, timeoutMs: 1_000 });
  try {
    return (await c.leader()).leader_id || undefined;
  } catch {
    return undefined;
  } finally {
    c.close();
  }
}

const names = (c: LocalCluster) => c.nodes.map((n) => n.name);

async function restartLater(ctx: ScenarioContext, node: string): Promise<void> {
  await sleep(ctx.faultMs);
  ctx.cluster.start(node);
  await ctx.cluster.waitListening(node, 30_000);
  ctx.log(`${node} started again`);
}

export const SCENARIOS: Record<string, (ctx: ScenarioContext) => Promise<void>> = {
  async 'kill-leader'(ctx) {
    const l = (await leaderOf(ctx.cluster)) ?? ctx.rng.pick(names(ctx.cluster));
    ctx.log(`SIGKILL leader ${l}`);
    ctx.cluster.kill(l);
    await restartLater(ctx, l);
  },
  async 'kill-random'(ctx) {
    const n = ctx.rng.pick(names(ctx.cluster));
    ctx.log(`SIGKILL ${n}`);
    ctx.cluster.kill(n);
    await restartLater(ctx, n);
  },
  async pause(ctx) {
    const n = ctx.rng.pick(names(ctx.cluster));
    ctx.log(`SIGSTOP ${n}`);
    ctx.cluster.signal(n, 'SIGSTOP');
    await sleep(ctx.faultMs);
    ctx.cluster.signal(n, 'SIGCONT');
    ctx.log(`SIGCONT ${n}`);
  },
  async restart(ctx) {
    const n = ctx.rng.pick(names(ctx.cluster));
    ctx.log(`restart ${n} (SIGTERM, start)`);
    await ctx.cluster.stop(n);
    ctx.cluster.start(n);
    await ctx.cluster.waitListening(n, 30_000);
    await sleep(ctx.faultMs);
  },
  async partition(ctx) {
    const n = ctx.rng.pick(names(ctx.cluster));
    const others = names(ctx.cluster).filter((x) => x !== n);
    ctx.log(`partition ${n} from ${others.join(', ')}`);
    await ctx.faults.isolate(ctx.cluster.faultTarget(n), others.map((o) => ctx.cluster.faultTarget(o)));
    await sleep(ctx.faultMs);
    await ctx.faults.heal();
    ctx.log('partition healed');
  },
  async 'partition-leader'(ctx) {
    const l = (await leaderOf(ctx.cluster)) ?? ctx.rng.pick(names(ctx.cluster));
    const others = names(ctx.cluster).filter((x) => x !== l);
    ctx.log(`partition leader ${l}`);
    await ctx.faults.isolate(ctx.cluster.faultTarget(l), others.map((o) => ctx.cluster.faultTarget(o)));
    await sleep(ctx.faultMs);
    await ctx.faults.heal();
    ctx.log('partition healed');
  },
  async flaky(ctx) {
    const n = ctx.rng.pick(names(ctx.cluster));
    const others = names(ctx.cluster).filter((x) => x !== n);
    ctx.log(`flaky links: 30% loss between ${n} and the others`);
    await ctx.faults.flaky(ctx.cluster.faultTarget(n), others.map((o) => ctx.cluster.faultTarget(o)), 0.3);
    await sleep(ctx.faultMs);
    await ctx.faults.heal();
    ctx.log('links healed');
  },
  async 'node-loss'(ctx) {
    const n = ctx.rng.pick(names(ctx.cluster));
    ctx.log(`node loss: SIGKILL ${n} and docker kill its containers`);
    ctx.cluster.kill(n);
    const docker = new Docker();
    const theirs = await docker.listContainers({ filters: { label: [`io.shoal.owner-node=${n}`] } });
    await Promise.all(theirs.map((x) => docker.getContainer(x.Id).kill().catch(() => undefined)));
    await restartLater(ctx, n);
  },
};
