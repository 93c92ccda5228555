// Property tests: whatever the configuration and gossip view, a decision is
// legal and safe; and driving a cluster by the decisions converges.
import t from 'tap';
import fc from 'fast-check';
import { decideAutopilot, quorum, type AutopilotAction, type AutopilotInput } from '../src/autopilot.js';
import type { MemberStatus } from '../src/core/types.js';

const GRACE = 10_000;
const NOW = 100_000;
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const state = fc.constantFrom<MemberStatus>('alive', 'alive', 'suspect', 'dead', 'left');

const scenario = fc.record({
  roles: fc.array(fc.constantFrom('voter', 'learner', 'none'), { minLength: NAMES.length, maxLength: NAMES.length }),
  states: fc.array(fc.option(fc.tuple(state, fc.integer({ min: 0, max: 2 * GRACE })), { nil: undefined }), { minLength: NAMES.length, maxLength: NAMES.length }),
  caught: fc.array(fc.boolean(), { minLength: NAMES.length, maxLength: NAMES.length }),
  target: fc.constantFrom(3, 5),
  pending: fc.boolean(),
}).map(({ roles, states, caught, target, pending }) => {
  const voters = NAMES.filter((_, i) => roles[i] === 'voter');
  if (voters.length === 0) voters.push('a');
  const learners = NAMES.filter((n, i) => roles[i] === 'learner' && !voters.includes(n));
  const leaderName = voters[0]!;
  const members = NAMES.flatMap((name, i) => {
    const s = states[i];
    if (!s) return name === leaderName ? [{ name, state: 'alive' as MemberStatus, stateSince: NOW }] : [];
    return [{ name, state: name === leaderName ? 'alive' as MemberStatus : s[0], stateSince: NOW - s[1] }];
  });
  const input: AutopilotInput = {
    voters, learners, members, now: NOW, targetVoters: target, deadVoterGraceMs: GRACE, pendingChange: pending, leaderName,
    caughtUp: (n) => caught[NAMES.indexOf(n)] ?? false,
  };
  return input;
});

function healthyCount(input: AutopilotInput, voters: string[]): number {
  return voters.filter((v) => v === input.leaderName || input.members.find((m) => m.name === v)?.state === 'alive').length;
}

function apply(voters: string[], learners: string[], a: AutopilotAction): { voters: string[]; learners: string[] } {
  if (a.type === 'AddLearner') return { voters, learners: [...learners, a.node] };
  if (a.type === 'PromoteLearner') return { voters: [...voters, a.node], learners: learners.filter((n) => n !== a.node) };
  return { voters: voters.filter((n) => n !== a.node), learners: learners.filter((n) => n !== a.node) };
}

t.test('every decision is legal and keeps a quorum', async (t) => {
  fc.assert(fc.property(scenario, (input) => {
    const a = decideAutopilot(input);
    if (input.pendingChange) return a === null;
    if (healthyCount(input, input.voters) < quorum(input.voters.length)) return a === null;
    if (a === null) return true;
    const m = input.members.find((x) => x.name === a.node);
    switch (a.type) {
      case 'AddLearner':
        if (m?.state !== 'alive' || input.voters.includes(a.node) || input.learners.includes(a.node)) return false;
        break;
      case 'PromoteLearner':
        if (!input.learners.includes(a.node) || m?.state !== 'alive' || !input.caughtUp(a.node)) return false;
        break;
      case 'RemoveNode': {
        if (a.node === input.leaderName) return false;
        const gone = m?.state === 'left' || (m?.state === 'dead' && input.now - m.stateSince >= input.deadVoterGraceMs);
        if (!gone) return false;
        if (input.voters.includes(a.node) && input.voters.length - 1 < quorum(input.voters.length)) return false;
        break;
      }
    }
    const next = apply(input.voters, input.learners, a);
    // The new configuration still has a quorum of healthy voters.
    return healthyCount(input, next.voters) >= quorum(next.voters.length);
  }), { numRuns: 5000 });
  t.pass('5000 random configurations');
});

t.test('applying decisions converges: target reached with live voters, no gone voter left', async (t) => {
  fc.assert(fc.property(scenario, (start) => {
    let { voters, learners } = start;
    const input = { ...start, pendingChange: false, caughtUp: () => true };
    for (let step = 0; step < 30; step++) {
      const a = decideAutopilot({ ...input, voters, learners });
      if (a === null) break;
      ({ voters, learners } = apply(voters, learners, a));
      if (healthyCount(input, voters) < quorum(voters.length)) return false;
    }
    if (decideAutopilot({ ...input, voters, learners }) !== null) return false; // settled within 30 steps
    if (healthyCount(input, start.voters) < quorum(start.voters.length)) return true; // stuck by design: no quorum
    const alive = input.members.filter((m) => m.state === 'alive').map((m) => m.name);
    const gone = (n: string): boolean => {
      const m = input.members.find((x) => x.name === n);
      return n !== input.leaderName && (m?.state === 'left' || (m?.state === 'dead' && input.now - m.stateSince >= GRACE));
    };
    // Every alive member is in the configuration.
    if (!alive.every((n) => voters.includes(n) || learners.includes(n))) return false;
    // Voters grow to the target while an alive learner is available. (Voters
    // that are suspect, unknown to gossip, or dead within the grace still count.)
    if (voters.length < input.targetVoters && learners.some((n) => alive.includes(n))) return false;
    // Voters never settle above the target (unless they started above it).
    if (voters.length > Math.max(start.voters.length, input.targetVoters)) return false;
    // Gone voters are removed unless that would break the size rule.
    return voters.filter(gone).length === 0 || voters.length <= 2;
  }), { numRuns: 3000 });
  t.pass('3000 random clusters converge');
});
