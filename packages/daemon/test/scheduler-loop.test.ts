/**
 * The leader's scheduling loop on a real ObjectStore: a pod created after a
 * quiet spell is bound at once (leading edge), and pods arriving in a burst
 * are bound together in one round, rounds at least batchDelayMs apart.
 */
import t from 'tap';
import type { Action, Node, Pod } from '@shoal/api';
import type { ActionResult } from '@shoal/controllers';
import { silentLogger } from '@shoal/log';
import { ObjectStore, commandForAction } from '@shoal/state';
import { SchedulerLoop } from '../src/leader/scheduler-loop.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(batchDelayMs: number) {
  const store = new ObjectStore();
  let uid = 0;
  const choices = { uid: () => `uid-${++uid}`, now: () => new Date().toISOString(), nameSuffix: () => `s${uid}` };
  const rounds: { at: number; binds: number }[] = [];
  const execute = async (actions: Action[]): Promise<ActionResult[]> => {
    rounds.push({ at: performance.now(), binds: actions.filter((a) => a.op === 'bind').length });
    return actions.map((a) => (store.apply(commandForAction(a, choices)).ok ? { ok: true } : { ok: false, code: 'Conflict', message: 'refused' }));
  };
  const create = (o: Node | Pod) => {
    const r = store.apply(commandForAction({ op: 'create', object: o }, choices));
    if (!r.ok) throw new Error(r.error.message);
  };
  const loop = new SchedulerLoop({ store, execute, log: silentLogger, batchDelayMs, retryMs: 60_000 });
  create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '4', memory: '8Gi', pods: 110 } } });
  const pod = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'x' }] } });
  const bound = (name: string) => !!store.get<Pod>({ kind: 'Pod', namespace: 'default', name })?.spec?.nodeName;
  return { loop, create, pod, bound, rounds };
}

t.test('a pod after a quiet spell is bound at once; a burst waits for the batch window and goes in one round', async (t) => {
  const delay = 1_000;
  const { loop, create, pod, bound, rounds } = setup(delay);
  loop.start();
  t.teardown(() => loop.stop());
  await sleep(delay + 50); // a quiet spell after the first (empty) round

  const t0 = performance.now();
  create(pod('first'));
  while (!bound('first')) {
    if (performance.now() - t0 > delay) break;
    await sleep(1);
  }
  t.ok(bound('first'), 'bound');
  t.ok(performance.now() - t0 < delay / 2, `bound without waiting for the batch window (${(performance.now() - t0).toFixed(0)} ms)`);

  // Five more, one log entry each, right after that round: one round for all, a window later.
  const before = rounds.length;
  for (let i = 0; i < 5; i++) {
    create(pod(`burst-${i}`));
    await new Promise((r) => setImmediate(r));
  }
  while (!bound('burst-4') && performance.now() - t0 < 5_000) await sleep(5);
  const later = rounds.slice(before).filter((r) => r.binds > 0);
  t.same(later.map((r) => r.binds), [5], 'the burst is bound in one round');
  // Rounds start a window apart; the bind is proposed after planning, so allow for planning time.
  t.ok(later[0]!.at - rounds[before - 1]!.at >= delay - 50, 'no sooner than the batch window after the round before');
});

t.test('a round waiting for its window does not run after stop', async (t) => {
  const { loop, create, pod, rounds } = setup(200);
  loop.start();
  await sleep(20);
  create(pod('late'));
  await loop.stop();
  const n = rounds.length;
  await sleep(250);
  t.equal(rounds.length, n, 'no round after stop');
});
