// Autopilot against the deterministic Raft simulation: the decision function
// of @shoal/gossip drives real configuration changes through the Raft core,
// with crashes, a lossy network and the simulation's safety checker running
// after every step. Many seeds; a failing one prints itself.
import t from 'tap';
import { decideAutopilot, type AutopilotMember } from '@shoal/gossip';
import { ConfChangeType, SimCluster, UNRELIABLE } from '@shoal/raft';

const GRACE = 400; // steps a voter must be dead before it is replaced

interface Outcome {
  voters: string[];
  learners: string[];
  error?: string;
}

function run(seed: number): Outcome {
  const c = new SimCluster({ voters: ['a', 'b', 'c'], spares: ['d'], seed });
  c.net.faults = { ...UNRELIABLE, drop: 0.05 };
  const deadSince = new Map<string, number>();
  const members = (): AutopilotMember[] =>
    c.ids.map((id) => {
      const alive = c.node(id).alive;
      if (!alive && !deadSince.has(id)) deadSince.set(id, c.now);
      if (alive) deadSince.delete(id);
      return { name: id, state: alive ? 'alive' : 'dead', stateSince: deadSince.get(id) ?? 0 };
    });
  let pendingUntil = 0;
  const autopilot = () => {
    const l = c.leader();
    if (!l?.raw) return;
    const st = l.raw.status();
    const progress = st.progress ?? {};
    const action = decideAutopilot({
      voters: st.conf.voters,
      learners: st.conf.learners,
      members: members(),
      now: c.now,
      targetVoters: 3,
      deadVoterGraceMs: GRACE,
      // The core refuses a second change while one is in flight; wait a little between proposals too.
      pendingChange: c.now < pendingUntil,
      leaderName: l.id,
      caughtUp: (n) => (progress[n]?.match ?? 0) + 5 >= st.commit,
    });
    if (!action) return;
    const type = { AddLearner: ConfChangeType.AddLearner, PromoteLearner: ConfChangeType.PromoteLearner, RemoveNode: ConfChangeType.RemoveNode }[action.type];
    if (c.proposeConfChange(l.id, type, action.node)) pendingUntil = c.now + 50;
  };
  const step = (n: number) => {
    for (let i = 0; i < n; i++) {
      c.step(); // the safety checker runs inside and throws on a violation
      if (c.now % 10 === 0) autopilot();
      if (c.now % 7 === 0) {
        const l = c.leader();
        if (l) c.put(l.id, `k${c.now % 5}`, `v${c.now}`);
      }
    }
  };
  try {
    step(600); // elect, write, let autopilot add d as a learner
    const victim = c.rand.intn(2) === 0 ? 'b' : 'c';
    c.crash(victim);
    step(2_000); // past the grace: d promoted, the victim removed
    const err = c.settle(3_000);
    const l = c.leader();
    const conf = l?.raw?.status().conf ?? { voters: [], learners: [] };
    return { voters: [...conf.voters].sort(), learners: [...conf.learners].sort(), ...(err ? { error: err } : {}) };
  } catch (err) {
    return { voters: [], learners: [], error: (err as Error).message };
  }
}

t.test('a dead voter is replaced by the caught-up learner, safely, over many seeds', async (t) => {
  const failures: string[] = [];
  const seeds = 40;
  for (let seed = 1; seed <= seeds; seed++) {
    const o = run(seed);
    const ok = !o.error && o.voters.length === 3 && o.voters.includes('d') && o.voters.includes('a') && o.learners.length === 0;
    if (!ok) failures.push(`seed ${seed}: voters [${o.voters}] learners [${o.learners}]${o.error ? `: ${o.error}` : ''}`);
  }
  t.same(failures, [], `${seeds} seeds: the learner took the dead voter's place every time`);
});
