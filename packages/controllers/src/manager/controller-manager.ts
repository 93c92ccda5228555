/**
 * The controller manager, run on the leader only. It feeds every controller
 * from the store's change stream through one de-duplicating, rate-limited
 * work queue, runs reconcilers with bounded concurrency, hands their actions
 * to the injected executor, and retries failures with back-off. On start it
 * enqueues every existing object, so a new leader resumes from state alone.
 */
import type { KubeObject, Kind, ObjectKey, ObjectReader } from '@shoal/api';
import { KINDS } from '@shoal/api';
import { silentLogger, type Logger } from '@shoal/log';
import { controllerConfig, type ControllerConfig } from '../reconcile/config.js';
import type { NodeLiveness, ReconcileContext } from '../reconcile/types.js';
import { controllerRef } from '../reconcile/util/owners.js';
import { keyString } from '../reconcile/util/keys.js';
import { isBenign, type ActionExecutor, type Change, type Controller } from './controller.js';
import { realTimers, type Timers } from './timers.js';
import { WorkQueue } from './work-queue.js';

/**
 * One change: the object now (undefined when deleted) and before (undefined
 * when added). The store knows both, so the manager keeps no copy of the
 * objects it has seen.
 */
export type ChangeListener = (kind: string, key: ObjectKey, object: KubeObject | undefined, previous: KubeObject | undefined) => void;

/** Where changes come from: the store's watch on the leader. Returns an unsubscribe function. */
export interface ChangeSource {
  onChange(cb: ChangeListener): () => void;
}

export interface ControllerManagerOptions {
  controllers: readonly Controller[];
  /**
   * The latest consistent view of the store. It must reflect every action
   * whose `execute` promise has resolved (read-your-writes), and every change
   * already delivered through `changes`: reconcilers trust it, as informers'
   * caches are trusted, instead of tracking expectations.
   */
  view: () => ObjectReader;
  changes: ChangeSource;
  execute: ActionExecutor;
  config?: Partial<ControllerConfig>;
  /** Gossip liveness, for node lifecycle. */
  nodeLiveness?: (nodeName: string) => NodeLiveness | undefined;
  timers?: Timers;
  /** Reconciles running at once (default 4). */
  concurrency?: number;
  /** Retry back-off (defaults 5 ms doubling to 60 s). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  logger?: Logger;
}

export class ControllerManagerError extends Error {
  override name = 'ControllerManagerError';
}

const SEP = '\u0000';

interface PendingChange {
  kind: string;
  key: ObjectKey;
  object: KubeObject | undefined;
  previous: KubeObject | undefined;
  /** From notify(): something outside the store changed; the object did not. */
  unchanged?: boolean;
}

export class ControllerManager {
  private readonly controllers = new Map<string, Controller>();
  private readonly queue: WorkQueue;
  private readonly timers: Timers;
  private readonly config: ControllerConfig;
  private readonly log: Logger;
  private unsubscribe: (() => void) | undefined;
  private workers: Promise<void>[] = [];
  private running = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  /** Changes noted by the listener, mapped to keys outside the store's apply. */
  private pendingChanges: PendingChange[] = [];

  constructor(private readonly opts: ControllerManagerOptions) {
    for (const c of opts.controllers) {
      if (this.controllers.has(c.name)) throw new ControllerManagerError(`duplicate controller name ${c.name}`);
      this.controllers.set(c.name, c);
    }
    this.config = controllerConfig(opts.config);
    this.timers = opts.timers ?? realTimers;
    this.queue = new WorkQueue({ timers: this.timers, baseDelayMs: opts.retryBaseDelayMs, maxDelayMs: opts.retryMaxDelayMs });
    this.log = (opts.logger ?? silentLogger).child({ component: 'controller-manager' });
    const n = opts.concurrency ?? 4;
    if (!Number.isInteger(n) || n < 1) throw new ControllerManagerError(`concurrency must be a positive integer, got ${n}`);
  }

  /** Subscribe to changes, enqueue every existing object, start the workers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // The listener may run inside the store's apply: it only notes the change; mapping happens in a microtask.
    this.unsubscribe = this.opts.changes.onChange((kind, key, object, previous) => this.note({ kind, key, object, previous }));
    const view = this.opts.view();
    for (const c of this.controllers.values()) {
      const kinds = c.kind === '*' ? (Object.keys(KINDS) as Kind[]) : [c.kind];
      for (const kind of kinds) {
        for (const obj of view.list(kind)) if (!c.selects || c.selects(obj)) this.enqueue(c.name, { kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name });
      }
    }
    const n = this.opts.concurrency ?? 4;
    for (let i = 0; i < n; i++) this.workers.push(this.work());
    this.log.info('controller manager started', { controllers: [...this.controllers.keys()], revision: view.revision });
  }

  /** Stop taking work, let in-flight reconciles finish, and return when all workers have exited. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.queue.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
    this.log.info('controller manager stopped');
  }

  /** Reconcile `key` with `controller` (or every interested controller when omitted) soon. */
  enqueue(controller: string, key: ObjectKey): void {
    this.queue.add(`${controller}${SEP}${key.kind}${SEP}${key.namespace}${SEP}${key.name}`);
  }

  /** Tell the manager about a change it may not see in the store (e.g. gossip liveness of a node). */
  notify(kind: string, key: ObjectKey): void {
    this.note({ kind, key, object: undefined, previous: undefined, unchanged: true });
  }

  /** Resolves when no change is pending and no key is queued or being processed (delayed keys aside). For tests and simulations. */
  async idle(): Promise<void> {
    while (this.pendingChanges.length > 0) await Promise.resolve();
    if (!this.queue.busy && this.inFlight === 0) return;
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private note(c: PendingChange): void {
    if (!this.running) return;
    this.pendingChanges.push(c);
    if (this.pendingChanges.length === 1) {
      queueMicrotask(() => {
        const batch = this.pendingChanges;
        this.pendingChanges = [];
        for (const x of batch) this.onChange(x);
      });
    }
  }

  private onChange({ kind, key, object, previous, unchanged }: PendingChange): void {
    if (!this.running) return;
    const view = this.opts.view();
    const current = object ?? view.get(key);
    // A notification (not a store change) leaves the object as it was.
    const change: Change = { kind, key, object: current, previous: unchanged ? current : previous };

    for (const c of this.controllers.values()) {
      if ((c.kind === '*' || c.kind === kind) && (!c.selects || (current !== undefined && c.selects(current)))) this.enqueue(c.name, key);
      if (c.owns?.includes(kind)) {
        for (const obj of [change.object, change.previous]) {
          const ref = obj && controllerRef(obj);
          if (ref && ref.kind === c.kind) this.enqueue(c.name, { kind: c.kind, namespace: obj.metadata.namespace ?? '', name: ref.name });
        }
      }
      for (const w of c.watches ?? []) {
        if (w.kind !== '*' && w.kind !== kind) continue;
        for (const k of w.map(change, view)) this.enqueue(c.name, k);
      }
    }
  }

  private async work(): Promise<void> {
    while (true) {
      const item = await this.queue.get();
      if (item === undefined) return;
      this.inFlight++;
      try {
        await this.process(item);
      } finally {
        this.inFlight--;
        this.queue.done(item);
        if (!this.queue.busy && this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      }
    }
  }

  private async process(item: string): Promise<void> {
    const [name = '', kind = '', namespace = '', objName = ''] = item.split(SEP);
    const controller = this.controllers.get(name);
    if (!controller) return;
    const key: ObjectKey = { kind, namespace, name: objName };
    const ctx: ReconcileContext = { now: this.timers.now(), config: this.config, nodeLiveness: this.opts.nodeLiveness };
    const fields = { controller: name, key: keyString(key) };
    let result;
    try {
      result = controller.reconcile(key, this.opts.view(), ctx);
    } catch (err) {
      this.log.error('reconcile failed', { ...fields, err: String(err), retries: this.queue.numRequeues(item) });
      this.queue.addRateLimited(item);
      return;
    }
    if (result.actions.length > 0) {
      if (!this.running) return;
      let results;
      try {
        results = await this.opts.execute(result.actions);
      } catch (err) {
        this.log.warn('executing actions failed', { ...fields, err: String(err) });
        this.queue.addRateLimited(item);
        return;
      }
      const failed = result.actions.map((a, i) => ({ a, r: results[i] ?? { ok: false as const, code: 'Internal' as const, message: 'no result' } })).filter(({ a, r }) => !isBenign(a, r));
      if (failed.length > 0) {
        // Conflicts are normal under optimistic concurrency: re-read and try again shortly.
        this.log.debug('actions refused; retrying', { ...fields, refused: failed.map(({ a, r }) => `${a.op}: ${r.ok ? '' : r.code}`) });
        this.queue.addRateLimited(item);
        return;
      }
      this.log.debug('reconciled', { ...fields, actions: result.actions.length });
    }
    this.queue.forget(item);
    if (result.requeueAfterMs !== undefined) this.queue.addAfter(item, Math.max(1, result.requeueAfterMs));
  }
}
