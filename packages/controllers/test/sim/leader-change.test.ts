/**
 * Simulation: the controller manager is replaced in the middle of a rolling
 * update, at a random point and even halfway through executing a batch of
 * actions (a leader that crashed after committing part of its work). The new
 * manager starts from the view alone. The rollout must complete, stay within
 * maxSurge / maxUnavailable throughout, and create no pod twice.
 * A failing seed prints itself; replay with SEED=<n>.
 */
import t from 'tap';
import type { Action, Deployment, Pod, ReplicaSet } from '@shoal/api';
import { ControllerManager, defaultControllers, type ActionResult } from '../../src/index.js';
import { FakeTimers } from '../fixtures/fake-timers.js';
import { MemoryCluster } from '../fixtures/memory-cluster.js';
import { deployment } from '../fixtures/objects.js';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const REPLICAS = 6;
const SURGE = 1;
const UNAVAILABLE = 0;

class CrashError extends Error {
  override name = 'CrashError';
}

async function runSeed(seed: number): Promise<string | undefined> {
  const rand = rng(seed);
  const c = new MemoryCluster();
  const timers = new FakeTimers(c.now);
  let crashAfter: number | undefined;
  const execute = async (actions: Action[]): Promise<ActionResult[]> => {
    if (crashAfter !== undefined) {
      // The old leader commits only part of this batch, then dies.
      const n = Math.min(crashAfter, actions.length);
      crashAfter = undefined;
      c.apply(actions.slice(0, n));
      throw new CrashError('leader crashed mid-batch');
    }
    return c.apply(actions);
  };
  const manager = (): ControllerManager =>
    new ControllerManager({ controllers: defaultControllers(), view: () => c.snapshot(), changes: { onChange: (cb) => c.onChange(cb) }, execute, timers, concurrency: 1 + Math.floor(rand() * 3) });
  const settle = async (m: ControllerManager): Promise<void> => {
    for (let i = 0; i < 4; i++) {
      await m.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const live = (p: Pod): boolean => !p.metadata.deletionTimestamp;
  const ready = (p: Pod): boolean => live(p) && (p.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');
  let ip = 1;
  const kubelet = (pReady: number): void => {
    for (const p of c.list<Pod>('Pod')) {
      const k = { kind: 'Pod', namespace: 'default', name: p.metadata.name };
      if (!p.spec?.nodeName && live(p)) c.apply([{ op: 'bind', key: k, nodeName: `n${1 + (ip % 3)}` }]);
      else if (live(p) && !ready(p) && rand() < pReady) c.makeReady(k, `10.0.0.${ip++ % 250}`);
      else if (!live(p) && rand() < 0.7) c.finishTermination(k);
    }
  };
  const check = (): string | undefined => {
    const sets = c.list<ReplicaSet>('ReplicaSet');
    const total = sets.reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
    if (total > REPLICAS + SURGE) return `replicas ${total} > ${REPLICAS + SURGE}`;
    const r = c.list<Pod>('Pod').filter(ready).length;
    if (r < REPLICAS - UNAVAILABLE) return `ready ${r} < ${REPLICAS - UNAVAILABLE}`;
    return undefined;
  };

  c.create(deployment('web', REPLICAS, { strategy: { rollingUpdate: { maxSurge: SURGE, maxUnavailable: UNAVAILABLE } } }));
  let m = manager();
  m.start();
  for (let i = 0; i < 20; i++) {
    await settle(m);
    kubelet(1);
  }
  await settle(m);
  if (c.list<Pod>('Pod').filter(ready).length !== REPLICAS) return 'initial rollout incomplete';

  const d = c.get<Deployment>({ kind: 'Deployment', namespace: 'default', name: 'web' })!;
  const template = structuredClone(d.spec!.template);
  template.spec.containers[0]!.image = 'busybox:2';
  c.put({ ...d, spec: { ...d.spec!, template } });

  const crashAt = 1 + Math.floor(rand() * 12);
  for (let step = 0; step < 200; step++) {
    if (step === crashAt) {
      crashAfter = Math.floor(rand() * 3);
      // Wake the old leader so it has a batch to crash in, then replace it.
      kubelet(1);
      await settle(m);
      await m.stop();
      crashAfter = undefined;
      m = manager();
      m.start();
    }
    await settle(m);
    const bad = check();
    if (bad) return `step ${step}: ${bad}`;
    kubelet(0.5);
    timers.advance(10);
    const pods = c.list<Pod>('Pod').filter(live);
    if (step > crashAt && pods.length === REPLICAS && pods.every((p) => ready(p) && p.spec!.containers[0]!.image === 'busybox:2')) break;
  }
  await settle(m);
  await m.stop();

  const pods = c.list<Pod>('Pod').filter(live);
  if (pods.length !== REPLICAS) return `ended with ${pods.length} pods`;
  if (!pods.every((p) => p.spec!.containers[0]!.image === 'busybox:2')) return 'rollout did not complete';
  const created = c.log.filter((e) => e.action.op === 'create' && e.action.object.kind === 'Pod' && e.result.ok).length;
  // 6 for the first rollout, 6 for the second: nothing created twice.
  if (created !== 2 * REPLICAS) return `created ${created} pods, expected ${2 * REPLICAS}`;
  const sets = c.list<ReplicaSet>('ReplicaSet');
  if (sets.length !== 2) return `${sets.length} ReplicaSets`;
  return undefined;
}

t.test('a new leader finishes a rolling update from the view alone', async (t) => {
  const only = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 25 }, (_, i) => i + 1);
  for (const seed of only) {
    const failure = await runSeed(seed);
    t.equal(failure, undefined, `seed ${seed}${failure ? ` failed (replay: SEED=${seed}): ${failure}` : ''}`);
  }
});
