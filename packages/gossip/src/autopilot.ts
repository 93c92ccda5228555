/**
 * Autopilot: who should vote in Raft, decided from gossip liveness. Pure: the
 * leader calls it (once a second, say) with the current Raft configuration and
 * the gossip view, and proposes the one change it returns, if any.
 *
 * Gossip decides who is alive; Raft's configuration decides who votes. Rules,
 * in the order they are tried:
 *  0. One change at a time: nothing while a configuration change is pending.
 *     Nothing either when the healthy voters are no quorum of the current
 *     configuration: no change could commit.
 *  1. A voter that left gracefully is removed at once.
 *  2. A voter dead longer than the grace is replaced: if a healthy caught-up
 *     learner exists, it is promoted first (safe as long as a quorum of the
 *     grown configuration is alive); otherwise the dead voter is removed.
 *  3. A healthy caught-up learner is promoted while voters < target.
 *  4. An alive member outside the configuration is added as a learner.
 *  5. A learner that left, or is dead longer than the grace, is removed.
 * A removal never takes the configuration below a quorum of its current size,
 * never removes the leader, and never removes a voter gossip knows nothing
 * about (at start-up the leader may not have heard of everyone yet).
 */
import type { MemberStatus } from './core/types.js';

export interface AutopilotMember { name: string; state: MemberStatus; stateSince: number }

export interface AutopilotInput {
  voters: string[];
  learners: string[];
  members: AutopilotMember[];
  now: number;
  /** Wanted number of voters: 3 by default, or 5. */
  targetVoters: number;
  /** A voter must be dead this long before it is removed. */
  deadVoterGraceMs: number;
  /** True while a configuration change is proposed but not yet applied. */
  pendingChange: boolean;
  leaderName: string;
  /** Whether a learner's log has caught up with the leader's. */
  caughtUp: (name: string) => boolean;
}

export type AutopilotAction =
  | { type: 'AddLearner'; node: string }
  | { type: 'PromoteLearner'; node: string }
  | { type: 'RemoveNode'; node: string };

export const DEFAULT_TARGET_VOTERS = 3;

export function quorum(size: number): number {
  return Math.floor(size / 2) + 1;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function decideAutopilot(input: AutopilotInput): AutopilotAction | null {
  if (input.pendingChange) return null;
  const members = new Map(input.members.map((m) => [m.name, m]));
  const voters = [...new Set(input.voters)].sort(byName);
  const learners = [...new Set(input.learners)].filter((n) => !voters.includes(n)).sort(byName);
  const healthy = (name: string): boolean => name === input.leaderName || members.get(name)?.state === 'alive';
  const left = (name: string): boolean => name !== input.leaderName && members.get(name)?.state === 'left';
  const deadFor = (name: string): number => {
    const m = members.get(name);
    return name !== input.leaderName && m?.state === 'dead' ? input.now - m.stateSince : -1;
  };
  const expired = (name: string): boolean => deadFor(name) >= input.deadVoterGraceMs;

  const healthyVoters = voters.filter(healthy).length;
  // Safety: a change commits only on a quorum of the current configuration.
  if (healthyVoters < quorum(voters.length)) return null;
  // Safety: removing one voter must leave at least a quorum of the current size.
  const canShrink = voters.length - 1 >= quorum(voters.length);
  const promotable = learners.filter((n) => healthy(n) && input.caughtUp(n));

  // 1. Graceful leavers go without waiting for the grace.
  const leaver = voters.find(left);
  if (leaver !== undefined && canShrink) return { type: 'RemoveNode', node: leaver };

  // 2. Replace voters dead past the grace, longest dead first.
  const expiredVoters = voters.filter(expired).sort((a, b) => deadFor(b) - deadFor(a) || byName(a, b));
  const deadVoter = expiredVoters[0];
  if (deadVoter !== undefined) {
    const replacement = promotable[0];
    // Promote first when the grown configuration keeps a quorum alive: the
    // cluster never has fewer live voters than before during the swap.
    if (replacement !== undefined && voters.length < input.targetVoters + expiredVoters.length
      && healthyVoters + 1 >= quorum(voters.length + 1)) {
      return { type: 'PromoteLearner', node: replacement };
    }
    if (canShrink) return { type: 'RemoveNode', node: deadVoter };
  }

  // 3. Grow to the target with caught-up learners.
  const promote = promotable[0];
  if (voters.length < input.targetVoters && promote !== undefined) return { type: 'PromoteLearner', node: promote };

  // 4. Every alive member takes part, as a learner first.
  const newcomer = input.members
    .filter((m) => m.state === 'alive' && !voters.includes(m.name) && !learners.includes(m.name))
    .map((m) => m.name)
    .sort(byName)[0];
  if (newcomer !== undefined) return { type: 'AddLearner', node: newcomer };

  // 5. Learners that are gone do not hold a place (they do not vote: always safe).
  const goneLearner = learners.find((n) => left(n) || expired(n));
  if (goneLearner !== undefined) return { type: 'RemoveNode', node: goneLearner };

  return null;
}
