/**
 * Promises waiting on a key, each with its own timeout: proposals wait for
 * their entry to apply, reads for their ReadIndex answer.
 */
import { RaftTimeoutError } from './errors.js';

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  /** Which leadership the request was made under (the caller's label). */
  epoch: string;
}

export class Waiters<K, T> {
  private readonly map = new Map<K, Waiter<T>>();

  constructor(private readonly what: string) {}

  get size(): number {
    return this.map.size;
  }

  wait(key: K, timeoutMs: number, epoch = ''): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.map.delete(key);
        reject(new RaftTimeoutError(this.what, timeoutMs));
      }, timeoutMs);
      this.map.set(key, { resolve, reject, timer, epoch });
    });
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  resolve(key: K, v: T): boolean {
    const w = this.map.get(key);
    if (!w) return false;
    this.map.delete(key);
    clearTimeout(w.timer);
    w.resolve(v);
    return true;
  }

  reject(key: K, e: Error): void {
    const w = this.map.get(key);
    if (!w) return;
    this.map.delete(key);
    clearTimeout(w.timer);
    w.reject(e);
  }

  rejectAll(e: Error): void {
    for (const k of [...this.map.keys()]) this.reject(k, e);
  }

  /** Rejects every request made under another epoch than `epoch`. */
  rejectOutside(epoch: string, e: Error): void {
    for (const [k, w] of [...this.map]) if (w.epoch !== epoch) this.reject(k, e);
  }
}
