/**
 * Change notifications from the local store, shaped for the packages that
 * react to them (controller manager, scheduler, agent, network). Callbacks
 * run synchronously inside apply, so they only note the change and return.
 */
import { objectKey, type KubeObject, type ObjectKey } from '@shoal/api';
import type { ObjectStore, WatchEvent } from '@shoal/state';

/** `object` is undefined when deleted; `previous` is the object before the change (undefined when added). */
export type ChangeCallback = (kind: string, key: ObjectKey, object: KubeObject | undefined, previous: KubeObject | undefined) => void;

/**
 * Calls `cb` for every change of the given kinds. When the store is replaced
 * by a snapshot (a follower that fell behind gets one from the leader), the
 * store ends every watch; the subscription then follows the new store and
 * calls `onReset`, because changes between the old state and the new one
 * were never seen one by one. Before, every subscriber (the agent, the
 * node's network rules) went deaf after such an install.
 */
export function subscribeChanges(store: ObjectStore, cb: ChangeCallback, kinds?: readonly string[], onReset?: () => void): () => void {
  const set = kinds ? new Set(kinds) : undefined;
  let stopped = false;
  let cancel: () => void;
  const onEvent = (e: WatchEvent): void => {
    if (e.type === 'ERROR') {
      if (stopped) return;
      cancel = store.watch({}, onEvent);
      onReset?.();
      return;
    }
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') return;
    const o = e.object as KubeObject;
    if (set && !set.has(o.kind)) return;
    cb(o.kind, objectKey(o), e.type === 'DELETED' ? undefined : o, e.type === 'DELETED' ? o : e.prev);
  };
  cancel = store.watch({}, onEvent);
  return () => {
    stopped = true;
    cancel();
  };
}

/** Runs `fn` at most once per `delayMs` after a burst of `trigger()` calls; never two at once. */
export class Debouncer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly fn: () => Promise<unknown>, private readonly delayMs: number, private readonly onError: (err: unknown) => void) {}

  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.run(), this.delayMs);
  }

  private run(): void {
    this.timer = undefined;
    this.running = this.fn()
      .then(() => undefined, this.onError)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
