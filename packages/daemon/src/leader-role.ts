/**
 * Runs the leader-only work (scheduler, controllers, autopilot) exactly while
 * this node leads. Transitions are serialized: a step-down waits for the
 * previous term's loops to stop before a new term's loops start, so two
 * generations never run at once on one node.
 */
import type { Logger } from '@shoal/log';

export interface Stoppable {
  stop(): Promise<void>;
}

export class LeaderRole {
  private running?: Stoppable;
  private want = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly startLoops: () => Promise<Stoppable>,
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.running !== undefined;
  }

  /** Tell the role whether this node leads now; returns when the change is done. */
  set(isLeader: boolean): Promise<void> {
    this.want = isLeader;
    this.chain = this.chain.then(() => this.converge()).catch((err: unknown) => {
      this.log.error('leader role transition failed', { err: String(err) });
    });
    return this.chain;
  }

  private async converge(): Promise<void> {
    if (this.want && !this.running) {
      this.log.info('starting leader loops');
      this.running = await this.startLoops();
      // Leadership may have been lost while starting.
      if (!this.want) await this.converge();
    } else if (!this.want && this.running) {
      const r = this.running;
      this.running = undefined;
      this.log.info('stopping leader loops');
      await r.stop();
    }
  }

  stop(): Promise<void> {
    return this.set(false);
  }
}
