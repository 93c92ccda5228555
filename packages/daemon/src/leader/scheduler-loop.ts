/**
 * The leader's scheduling loop: whenever pods or nodes change, place the
 * pending pods with the pure scheduler and bind them in one batch (one log
 * entry). Pods that fit nowhere get a FailedScheduling event saying why, per
 * node class. Binds are optimistic: apply refuses a pod already bound or
 * gone, and a capacity change that lands between planning and applying is
 * corrected by later rounds rather than re-checked inside apply.
 */
import type { Action, Pod } from '@shoal/api';
import { controllerConfig, planScheduling, type ActionResult } from '@shoal/controllers';
import type { Logger } from '@shoal/log';
import type { SchedulerConfig } from '@shoal/scheduler';
import type { ObjectStore } from '@shoal/state';
import { Debouncer, subscribeChanges } from '../store-changes.js';

export interface SchedulerLoopOptions {
  store: ObjectStore;
  execute: (actions: Action[]) => Promise<ActionResult[]>;
  log: Logger;
  config?: Partial<SchedulerConfig>;
  clock?: () => number;
  /**
   * Rounds start at least this long apart, so a burst of changes is batched
   * into one round; the first change after a quiet spell is planned at once.
   */
  batchDelayMs?: number;
  /** Retry pods that did not fit after this long even without a change. */
  retryMs?: number;
}

export class SchedulerLoop {
  private readonly debounce: Debouncer;
  private unsubscribe: (() => void) | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastRoundAt = -Infinity;
  private stopped = false;

  constructor(private readonly o: SchedulerLoopOptions) {
    this.debounce = new Debouncer(() => this.paced(), 0, (err) => o.log.error('scheduling round failed', { err: String(err) }));
  }

  /** A round, no sooner than batchDelayMs after the previous one began (leading edge). */
  private async paced(): Promise<number> {
    const wait = this.lastRoundAt + (this.o.batchDelayMs ?? 5) - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (this.stopped) return 0;
    this.lastRoundAt = performance.now();
    return this.round();
  }

  start(): void {
    this.unsubscribe = subscribeChanges(this.o.store, (kind, _key, obj) => {
      if (kind === 'Node' || (kind === 'Pod' && (!obj || !(obj as Pod).spec?.nodeName || obj.metadata.deletionTimestamp))) this.debounce.trigger();
    }, ['Pod', 'Node'], () => this.debounce.trigger());
    this.retry = setInterval(() => this.debounce.trigger(), this.o.retryMs ?? 5_000);
    this.debounce.trigger();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.retry) clearInterval(this.retry);
    await this.debounce.stop();
  }

  /**
   * One scheduling pass (planScheduling: binds plus Scheduled/FailedScheduling
   * events, named so an unchanged reason is not repeated), proposed as one
   * batch. Planning and binding read one state: rounds never overlap and each
   * waits for its binds to be applied, so the next round plans on top of them.
   */
  async round(): Promise<number> {
    const ctx = { now: (this.o.clock ?? Date.now)(), config: controllerConfig({ eventSource: 'shoal-scheduler' }) };
    const pass = planScheduling(this.o.store, ctx, this.o.config ?? {});
    if (pass.actions.length === 0) return 0;
    const results = await this.o.execute(pass.actions);
    // A pass places at most 1,000 pods: go on at once while more are waiting.
    if (pass.bound + pass.unschedulable >= 1_000) this.debounce.trigger();
    let bound = 0;
    results.forEach((r, i) => {
      const a = pass.actions[i]!;
      if (a.op !== 'bind') return;
      if (r.ok) bound++;
      else this.o.log.debug('bind refused', { pod: a.key.name, node: a.nodeName, err: r.message });
    });
    if (bound) this.o.log.info('scheduled pods', { bound, unschedulable: pass.unschedulable });
    return bound;
  }
}
