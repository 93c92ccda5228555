/**
 * Pod statuses go to the sink in batches: at most one send per `delayMs`,
 * changes in between travel together, an unchanged status is not sent again, and a failed send is
 * retried with whatever is newest by then.
 */
import type { Logger } from '@shoal/log';
import type { AgentSink, PodStatusUpdate } from '../source.js';

export class StatusBatcher {
  private readonly pending = new Map<string, PodStatusUpdate>();
  private readonly sent = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private lastFlushAt = -Infinity;

  constructor(
    private readonly sink: AgentSink,
    private readonly delayMs: number,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  offer(u: PodStatusUpdate): void {
    const json = JSON.stringify(u.status);
    if (this.sent.get(u.uid) === json) {
      this.pending.delete(u.uid);
      return;
    }
    this.pending.set(u.uid, u);
    // Leading edge: after a quiet spell the first change goes out on the next
    // turn (with whatever else the same pass offered); later ones wait out the window.
    this.arm(Math.max(0, this.lastFlushAt + this.delayMs - this.now()));
  }

  /** Forgets a pod (it is gone). */
  forget(uid: string): void {
    this.pending.delete(uid);
    this.sent.delete(uid);
  }

  private arm(ms: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.lastFlushAt = this.now();
    this.flushing = (async () => {
      try {
        await this.sink.updatePodStatus(batch);
        for (const u of batch) this.sent.set(u.uid, JSON.stringify(u.status));
      } catch (err) {
        this.log.warn('pod status report failed; will retry', { err: String(err), pods: batch.length });
        for (const u of batch) if (!this.pending.has(u.uid)) this.pending.set(u.uid, u);
        this.arm(Math.max(this.delayMs, 500));
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
    if (this.pending.size) this.arm(this.delayMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
  }
}
