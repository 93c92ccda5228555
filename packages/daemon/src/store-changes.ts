/**
 * Change notifications from the local store, shaped for the packages that
 * react to them (controller manager, scheduler, agent, network). Callbacks
 * run synchronously inside apply, so they only note the change and return.
 */
import { objectKey, type KubeObject, type ObjectKey } from '@shoal/api';
import type { ObjectStore } from '@shoal/state';

/** `object` is undefined when deleted; `previous` is the object before the change (undefined when added). */
export type ChangeCallback = (kind: string, key: ObjectKey, object: KubeObject | undefined, previous: KubeObject | undefined) => void;

export function subscribeChanges(store: ObjectStore, cb: ChangeCallback, kinds?: readonly string[]): () => void {
  const set = kinds ? new Set(kinds) : undefined;
  return store.watch({}, (e) => {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') return;
    const o = e.object as KubeObject;
    if (set && !set.has(o.kind)) return;
    cb(o.kind, objectKey(o), e.type === 'DELETED' ? undefined : o, e.type === 'DELETED' ? o : e.prev);
  });
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
