/**
 * A de-duplicating work queue with delayed adds and per-key exponential
 * back-off, in the manner of client-go's workqueue:
 * - a key is queued at most once, however often it is added;
 * - a key being processed is never handed to a second worker; if it is added
 *   meanwhile, it is queued again when the first worker calls `done`;
 * - `addRateLimited` delays by base * 2^(failures-1), capped; `forget` resets.
 */
import type { Timers } from './timers.js';

export interface WorkQueueOptions {
  timers: Timers;
  /** First retry delay (default 5 ms). */
  baseDelayMs?: number;
  /** Retry delay cap (default 60 s). */
  maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { at: number; handle: unknown }>();
  private readonly failures = new Map<string, number>();
  private readonly getters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly timers: Timers;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: WorkQueueOptions) {
    this.timers = opts.timers;
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  private push(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
    } else this.queue.push(key);
  }

  /** Add `key` after `ms`; an earlier pending delayed add of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.timers.now() + ms;
    const prev = this.waiting.get(key);
    if (prev && prev.at <= at) return;
    if (prev) this.timers.clearTimeout(prev.handle);
    const handle = this.timers.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, handle });
  }

  /** Delay before the next retry of `key`, and count the failure. */
  nextDelay(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    return Math.min(this.baseDelayMs * 2 ** Math.min(n - 1, 40), this.maxDelayMs);
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.nextDelay(key));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    // Added while being processed: hand it out again now that the first worker is done.
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Keys queued now (not delayed, not processing). */
  get length(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.queue.length > 0 || this.processing.size > 0;
  }

  get delayed(): number {
    return this.waiting.size;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) this.timers.clearTimeout(w.handle);
    this.waiting.clear();
    this.queue.length = 0;
    for (const g of this.getters.splice(0)) g(undefined);
  }
}
