/**
 * `LogStore` in memory: the twin of the LevelDB store for tests. What was
 * saved survives a `RaftNode` restart as long as the object lives, which is
 * how tests simulate a crash that keeps only synced data.
 */
import type { LoadedLog, LogStore, PersistBatch } from './log-store.js';
import { emptyHardState } from './log-store.js';
import type { ConfState, Entry, HardState, Snapshot } from '../types.js';

export class MemoryLogStore implements LogStore {
  private hardState: HardState = emptyHardState();
  private confState: ConfState = { voters: [], learners: [] };
  private snapshot: Snapshot | undefined;
  private entries: Entry[] = [];
  /** Number of synced `save` calls: one fsync each in the real store. */
  saves = 0;

  async load(): Promise<LoadedLog> {
    const out: LoadedLog = {
      hardState: { ...this.hardState },
      confState: structuredClone(this.snapshot?.metadata.conf ?? this.confState),
      entries: this.entries.map((e) => ({ ...e })),
    };
    if (this.snapshot) out.snapshot = this.snapshot;
    return out;
  }

  async save(batch: PersistBatch): Promise<void> {
    if (batch.sync !== false) this.saves++;
    if (batch.confState) this.confState = structuredClone(batch.confState);
    if (batch.snapshot) {
      this.snapshot = batch.snapshot;
      this.entries = [];
    }
    const first = batch.entries[0];
    if (first) {
      // Keep entries before the first new one; everything from it on is replaced.
      this.entries = this.entries.filter((e) => e.index < first.index);
      this.entries.push(...batch.entries.map((e) => ({ ...e })));
    }
    if (batch.hardState) this.hardState = { ...batch.hardState };
  }

  async compact(index: number, snapshot: Snapshot): Promise<void> {
    this.snapshot = snapshot;
    this.entries = this.entries.filter((e) => e.index > index);
  }

  async close(): Promise<void> {}
}
