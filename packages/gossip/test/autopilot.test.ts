import t from 'tap';
import { decideAutopilot, quorum, type AutopilotInput, type AutopilotMember } from '../src/autopilot.js';
import type { MemberStatus } from '../src/core/types.js';

const GRACE = 30_000;
const NOW = 1_000_000;

/** Members from a compact spec: name -> state, with an optional age of that state in ms. */
function members(spec: Record<string, MemberStatus | [MemberStatus, number]>): AutopilotMember[] {
  return Object.entries(spec).map(([name, s]) => {
    const [state, age] = Array.isArray(s) ? s : [s, 0];
    return { name, state, stateSince: NOW - age };
  });
}

function input(over: Partial<AutopilotInput>): AutopilotInput {
  return {
    voters: [], learners: [], members: [], now: NOW, targetVoters: 3, deadVoterGraceMs: GRACE,
    pendingChange: false, leaderName: 'a', caughtUp: () => true, ...over,
  };
}

t.test('quorum', async (t) => {
  t.same([1, 2, 3, 4, 5, 6].map(quorum), [1, 2, 2, 3, 3, 4]);
});

t.test('a lone bootstrap leader adds a newcomer as learner, then promotes it', async (t) => {
  const m = members({ a: 'alive', b: 'alive' });
  t.same(decideAutopilot(input({ voters: ['a'], members: m })), { type: 'AddLearner', node: 'b' });
  t.same(decideAutopilot(input({ voters: ['a'], learners: ['b'], members: m })), { type: 'PromoteLearner', node: 'b' });
});

t.test('a learner that has not caught up is not promoted', async (t) => {
  const m = members({ a: 'alive', b: 'alive' });
  t.equal(decideAutopilot(input({ voters: ['a'], learners: ['b'], members: m, caughtUp: () => false })), null);
});

t.test('a suspect or dead learner is not promoted; a suspect member is not added', async (t) => {
  t.equal(decideAutopilot(input({ voters: ['a'], learners: ['b'], members: members({ a: 'alive', b: 'suspect' }) })), null);
  t.equal(decideAutopilot(input({ voters: ['a'], learners: ['b'], members: members({ a: 'alive', b: ['dead', 1] }) })), null);
  t.equal(decideAutopilot(input({ voters: ['a'], members: members({ a: 'alive', b: 'suspect' }) })), null);
});

t.test('promotion stops at the target; extra members stay learners', async (t) => {
  const m = members({ a: 'alive', b: 'alive', c: 'alive', d: 'alive' });
  t.equal(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d'], members: m })), null);
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d'], members: m, targetVoters: 5 })), { type: 'PromoteLearner', node: 'd' });
});

t.test('one change at a time: a pending change yields nothing', async (t) => {
  const m = members({ a: 'alive', b: 'alive' });
  t.equal(decideAutopilot(input({ voters: ['a'], members: m, pendingChange: true })), null);
});

t.test('a voter dead within the grace is kept', async (t) => {
  const m = members({ a: 'alive', b: 'alive', c: ['dead', GRACE - 1], d: 'alive' });
  t.equal(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d'], members: m })), null);
});

t.test('a voter dead past the grace is replaced: promote the learner first, then remove', async (t) => {
  const m = members({ a: 'alive', b: 'alive', c: ['dead', GRACE], d: 'alive' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d'], members: m })), { type: 'PromoteLearner', node: 'd' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c', 'd'], members: m })), { type: 'RemoveNode', node: 'c' });
  t.equal(decideAutopilot(input({ voters: ['a', 'b', 'd'], members: m.filter((x) => x.name !== 'c') })), null, 'settled');
});

t.test('a replacement does not grow the voters past the target', async (t) => {
  const m = members({ a: 'alive', b: 'alive', c: ['dead', GRACE], d: 'alive', e: 'alive' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d', 'e'], members: m })), { type: 'PromoteLearner', node: 'd' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c', 'd'], learners: ['e'], members: m })), { type: 'RemoveNode', node: 'c' });
});

t.test('without a caught-up learner the dead voter is just removed', async (t) => {
  const m = members({ a: 'alive', b: 'alive', c: ['dead', GRACE], d: 'alive' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d'], members: m, caughtUp: () => false })), { type: 'RemoveNode', node: 'c' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c'], members: m.filter((x) => x.name !== 'd') })), { type: 'RemoveNode', node: 'c' });
});

t.test('a voter that left is removed without waiting for the grace', async (t) => {
  const m = members({ a: 'alive', b: 'alive', c: 'left', d: 'alive' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d'], members: m })), { type: 'RemoveNode', node: 'c' });
});

t.test('never below a quorum of the current configuration', async (t) => {
  // Two voters: removing one would leave 1 < quorum(2).
  t.equal(decideAutopilot(input({ voters: ['a', 'b'], members: members({ a: 'alive', b: 'left' }) })), null);
  // Two of three voters dead: no quorum alive, nothing can commit.
  const m = members({ a: 'alive', b: ['dead', GRACE], c: ['dead', GRACE], d: 'alive' });
  t.equal(decideAutopilot(input({ voters: ['a', 'b', 'c'], learners: ['d'], members: m })), null);
  // Five voters, two dead: promote first (6 voters, 4 alive = quorum), then remove one at a time.
  const five = members({ a: 'alive', b: 'alive', c: 'alive', d: ['dead', GRACE + 5], e: ['dead', GRACE], f: 'alive' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c', 'd', 'e'], learners: ['f'], members: five, targetVoters: 5 })), { type: 'PromoteLearner', node: 'f' });
  t.same(decideAutopilot(input({ voters: ['a', 'b', 'c', 'd', 'e', 'f'], members: five, targetVoters: 5 })), { type: 'RemoveNode', node: 'd' }, 'longest dead first');
});

t.test('the leader is never removed, and an unknown voter is not removed', async (t) => {
  t.equal(decideAutopilot(input({ voters: ['a', 'b', 'c'], members: members({ a: ['dead', GRACE * 2], b: 'alive', c: 'alive' }) })), null);
  t.equal(decideAutopilot(input({ voters: ['a', 'b', 'c'], members: members({ a: 'alive', b: 'alive' }) })), null);
});

t.test('a gone learner is removed', async (t) => {
  t.same(decideAutopilot(input({ voters: ['a'], learners: ['b'], members: members({ a: 'alive', b: 'left' }) })), { type: 'RemoveNode', node: 'b' });
  t.same(decideAutopilot(input({ voters: ['a'], learners: ['b'], members: members({ a: 'alive', b: ['dead', GRACE] }) })), { type: 'RemoveNode', node: 'b' });
  t.equal(decideAutopilot(input({ voters: ['a'], learners: ['b'], members: members({ a: 'alive', b: ['dead', 10] }) })), null);
});

t.test('choices are deterministic: by name', async (t) => {
  const m = members({ a: 'alive', z: 'alive', m: 'alive' });
  t.same(decideAutopilot(input({ voters: ['a'], members: m })), { type: 'AddLearner', node: 'm' });
  t.same(decideAutopilot(input({ voters: ['a'], learners: ['z', 'm'], members: m })), { type: 'PromoteLearner', node: 'm' });
});

t.test('the scenario of the issue: 3 voters and a learner, kill a voter', async (t) => {
  let voters = ['a', 'b', 'c'];
  let learners = ['d'];
  const state: Record<string, [MemberStatus, number]> = { a: ['alive', 0], b: ['alive', 0], c: ['dead', 0], d: ['alive', 0] };
  const steps: string[] = [];
  for (let now = NOW; now < NOW + 60_000; now += 1000) {
    const m = Object.entries(state).map(([name, [s, since]]) => ({ name, state: s, stateSince: NOW + since }));
    const a = decideAutopilot(input({ voters, learners, members: m, now }));
    if (!a) continue;
    steps.push(`${(now - NOW) / 1000}s ${a.type} ${a.node}`);
    if (a.type === 'PromoteLearner') { learners = learners.filter((n) => n !== a.node); voters = [...voters, a.node]; }
    if (a.type === 'RemoveNode') { voters = voters.filter((n) => n !== a.node); learners = learners.filter((n) => n !== a.node); }
    if (a.type === 'AddLearner') learners = [...learners, a.node];
  }
  t.same(steps, ['30s PromoteLearner d', '31s RemoveNode c'], 'after the grace, d votes and c is gone');
  t.same(voters.sort(), ['a', 'b', 'd']);
});
