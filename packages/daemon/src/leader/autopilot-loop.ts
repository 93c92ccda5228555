/**
 * Autopilot on the leader: once a second, hold the Raft configuration
 * against gossip's view of who is alive and make at most one change
 * (decideAutopilot in @shoal/gossip decides; this loop only carries it out).
 */
import { decideAutopilot, type AutopilotMember } from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import { ConfChangeType, type ConfChange, type RaftNode } from '@shoal/raft';

export interface AutopilotLoopOptions {
  raft: RaftNode;
  members: () => AutopilotMember[];
  targetVoters: number;
  deadVoterGraceMs: number;
  intervalMs?: number;
  /** Called before a learner is added, so the transport knows where it is. */
  addressOf: (name: string) => string | undefined;
  addPeer: (name: string, address: string) => void;
  clock?: () => number;
  log: Logger;
}

/** A learner within this many entries of the leader's commit counts as caught up. */
const CAUGHT_UP_ENTRIES = 100;

export class AutopilotLoop {
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> | undefined;

  constructor(private readonly o: AutopilotLoopOptions) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.intervalMs ?? 1_000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pending;
  }

  tick(): void {
    if (this.pending) return;
    const st = this.o.raft.status();
    if (st.role !== 'leader') return;
    const progress = (st as { progress?: Record<string, { match: number }> }).progress ?? {};
    const action = decideAutopilot({
      voters: st.conf.voters,
      learners: st.conf.learners,
      members: this.o.members(),
      now: (this.o.clock ?? Date.now)(),
      targetVoters: this.o.targetVoters,
      deadVoterGraceMs: this.o.deadVoterGraceMs,
      pendingChange: false,
      leaderName: st.id,
      caughtUp: (name) => (progress[name]?.match ?? 0) + CAUGHT_UP_ENTRIES >= st.commit,
    });
    if (!action) return;
    const type = { AddLearner: ConfChangeType.AddLearner, PromoteLearner: ConfChangeType.PromoteLearner, RemoveNode: ConfChangeType.RemoveNode }[action.type];
    if (action.type === 'AddLearner') {
      const addr = this.o.addressOf(action.node);
      if (!addr) return;
      this.o.addPeer(action.node, addr);
    }
    const cc: ConfChange = { type, node: action.node };
    this.o.log.info('autopilot changes the raft configuration', { change: action.type, node: action.node, voters: st.conf.voters, learners: st.conf.learners });
    this.pending = this.o.raft
      .proposeConfChange(cc)
      .catch((err: unknown) => this.o.log.warn('autopilot change failed', { change: action.type, node: action.node, err: String(err) }))
      .finally(() => {
        this.pending = undefined;
      });
  }
}
