/** At most one task per key at a time (a pod's actions never interleave). */
export class SerialWorkers {
  private readonly busy = new Map<string, Promise<void>>();

  isBusy(key: string): boolean {
    return this.busy.has(key);
  }

  /** Runs `task` unless `key` is busy; returns false when it was. */
  run(key: string, task: () => Promise<void>, done: () => void): boolean {
    if (this.busy.has(key)) return false;
    const p = task().finally(() => {
      this.busy.delete(key);
      done();
    });
    this.busy.set(key, p);
    return true;
  }

  /** Waits for every task in flight. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.busy.values()]);
  }
}
