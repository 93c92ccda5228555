/**
 * The leader's scheduling loop: whenever pods or nodes change, place the
 * pending pods with the pure scheduler and bind them in one batch (one log
 * entry). Pods that fit nowhere get a FailedScheduling event saying why, per
 * node class. Binds are optimistic: apply refuses a pod already bound or
 * gone, and a capacity change that lands between planning and applying is
 * corrected by later rounds rather than re-checked inside apply.
 */
import type { Action, Node, ObjectReader, Pod } from '@shoal/api';
import { eventAction, controllerConfig, type ActionResult } from '@shoal/controllers';
import type { Logger } from '@shoal/log';
import { schedule, type SchedulerConfig } from '@shoal/scheduler';
import type { ObjectStore } from '@shoal/state';
import { Debouncer, subscribeChanges } from '../store-changes.js';

export interface SchedulerLoopOptions {
  store: ObjectStore;
  execute: (actions: Action[]) => Promise<ActionResult[]>;
  log: Logger;
  config?: Partial<SchedulerConfig>;
  clock?: () => number;
  /** Wait this long after a change to batch more pods into one round. */
  batchDelayMs?: number;
  /** Retry pods that did not fit after this long even without a change. */
  retryMs?: number;
}

export class SchedulerLoop {
  private readonly debounce: Debouncer;
  private unsubscribe: (() => void) | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** FailedScheduling messages already reported, per pod uid. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly o: SchedulerLoopOptions) {
    this.debounce = new Debouncer(() => this.round(), o.batchDelayMs ?? 5, (err) => o.log.error('scheduling round failed', { err: String(err) }));
  }

  start(): void {
    this.unsubscribe = subscribeChanges(this.o.store, (kind, _key, obj) => {
      if (kind === 'Node' || (kind === 'Pod' && (!obj || !(obj as Pod).spec?.nodeName || obj.metadata.deletionTimestamp))) this.debounce.trigger();
    }, ['Pod', 'Node']);
    this.retry = setInterval(() => this.debounce.trigger(), this.o.retryMs ?? 5_000);
    this.debounce.trigger();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.retry) clearInterval(this.retry);
    await this.debounce.stop();
  }

  /** One scheduling pass over every pending pod. */
  async round(): Promise<number> {
    const { store } = this.o;
    const all = store.list<Pod>('Pod');
    const pending = all.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp && (p.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler');
    if (pending.length === 0) return 0;
    const view = { nodes: store.list<Node>('Node'), pods: all };
    const plan = schedule(view, pending, this.o.config);
    // Planning and binding read one state: rounds never overlap and each waits
    // for its binds to be applied, so the next round plans on top of them.
    const actions: Action[] = plan.bindings.map((b) => ({ op: 'bind', key: { kind: 'Pod', namespace: b.namespace, name: b.name }, nodeName: b.nodeName, uid: b.uid }));
    const ctx = { now: (this.o.clock ?? Date.now)(), config: controllerConfig({ eventSource: 'shoal-scheduler' }) };
    for (const a of [...actions]) {
      if (a.op !== 'bind') continue;
      const pod = store.get<Pod>(a.key)!;
      actions.push(...eventAction(store as ObjectReader, ctx, pod, 'Normal', 'Scheduled', `Successfully assigned ${a.key.namespace}/${a.key.name} to ${a.nodeName}`));
    }
    const pendingUids = new Set(pending.map((p) => p.metadata.uid ?? ''));
    for (const uid of this.reported.keys()) if (!pendingUids.has(uid)) this.reported.delete(uid);
    for (const f of plan.failures) {
      if (this.reported.get(f.uid) === f.message) continue;
      const pod = store.get<Pod>({ kind: 'Pod', namespace: f.namespace, name: f.name });
      if (!pod) continue;
      this.reported.set(f.uid, f.message);
      actions.push(...eventAction(store as ObjectReader, ctx, pod, 'Warning', 'FailedScheduling', f.message));
    }
    if (actions.length === 0) return 0;
    const results = await this.o.execute(actions);
    let bound = 0;
    results.forEach((r, i) => {
      const a = actions[i]!;
      if (a.op !== 'bind') return;
      if (r.ok) {
        bound++;
        this.reported.delete(a.uid ?? '');
      } else this.o.log.debug('bind refused', { pod: a.key.name, node: a.nodeName, err: r.message });
    });
    if (bound) this.o.log.info('scheduled pods', { bound, failed: plan.failures.length });
    return bound;
  }
}
