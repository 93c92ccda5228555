/**
 * `LogStore` on LevelDB (`level`). Every `save` is one atomic batch written
 * with `sync: true` (unless the node says it need not be), so a crash keeps
 * either all of it or none of it; `compact` is ordered the same way (see
 * there). Values are checksummed records; `load` refuses a log with a bad
 * record, a gap, or fewer entries than the saved commit index, naming the
 * store path and the index, rather than start from less than was committed.
 *
 * Entries are stored in runs: the entries of one `save` are one record,
 * keyed by the index of the first. A single-entry run is exactly the old
 * one-record-per-entry layout. Each record costs LevelDB and its JavaScript
 * binding a fixed amount of CPU per operation, which dominated the store's
 * cost with a dozen small entries per batch; a run costs one. A run whose
 * tail was replaced (a conflicting suffix) is not rewritten: a later key
 * always wins over the earlier run's entries from its own index on, because
 * a save deletes every run that starts at or after its first entry.
 */
import { Level } from 'level';
import {
  decodeConfState,
  decodeEntries,
  decodeHardState,
  decodeSnapshot,
  emptyHardState,
  encodeConfState,
  encodeEntries,
  encodeHardState,
  encodeSnapshot,
  type Entry,
  type LoadedLog,
  type LogStore,
  type PersistBatch,
  type Snapshot,
} from '@shoal/raft';
import { CONF_STATE_KEY, ENTRY_KEY_END, HARD_STATE_KEY, SNAPSHOT_KEY, entryKey, entryKeyIndex } from './keys.js';
import { openRecord, sealRecord } from './record.js';
import { CorruptLogError, LogStoreClosedError } from './errors.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Op =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };

export class LevelLogStore implements LogStore {
  private readonly db: Level<Uint8Array, Uint8Array>;
  private opened = false;
  /**
   * First indexes (keys) of the stored runs, ascending; run i holds
   * [runs[i], runs[i + 1] - 1] and the last one [runs[at end], last].
   */
  private runs: number[] = [];
  /** Index of the last stored entry (or of the snapshot when it is newer). */
  private last = 0;
  /** Serializes writes so batches reach LevelDB in call order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {
    this.db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' });
  }

  async load(): Promise<LoadedLog> {
    if (!this.opened) {
      await this.db.open();
      this.opened = true;
    }
    const hardState = await this.readMeta(HARD_STATE_KEY, 'hard state', decodeHardState) ?? emptyHardState();
    const bootConf = await this.readMeta(CONF_STATE_KEY, 'configuration', decodeConfState);
    const snapshot = await this.readMeta(SNAPSHOT_KEY, 'snapshot', decodeSnapshot);
    const snapIndex = snapshot?.metadata.index ?? 0;

    const entries: Entry[] = [];
    const runs: number[] = [];
    /** The last entry read so far (also one the snapshot covers). */
    let tail: Entry | undefined;
    for await (const [key, value] of this.db.iterator({ gte: entryKey(0), lt: ENTRY_KEY_END })) {
      const start = entryKeyIndex(key);
      const run = this.decodeRunRecord(start, value);
      if (tail && start > tail.index + 1) {
        throw new CorruptLogError(this.path, tail.index + 1, 'missing (gap in the log)');
      }
      if (tail && start <= tail.index) {
        // A later run replaces the earlier one's entries from its start on.
        while (entries.length > 0 && entries[entries.length - 1]!.index >= start) entries.pop();
      } else if (tail && run[0]!.term < tail.term) {
        throw new CorruptLogError(this.path, start, `term ${run[0]!.term} below previous ${tail.term}`);
      }
      runs.push(start);
      // Entries up to the snapshot are kept for slow followers only; the
      // restarted node starts its in-memory log after the snapshot.
      for (const e of run) if (e.index > snapIndex) entries.push(e);
      tail = run[run.length - 1];
    }
    const first = runs[0] ?? 0;
    if (first !== 0 && first > snapIndex + 1) {
      throw new CorruptLogError(this.path, snapIndex + 1, `missing: log starts at ${first} after snapshot ${snapIndex}`);
    }
    this.runs = runs;
    this.last = Math.max(tail?.index ?? 0, snapIndex);
    // Committed entries must all be here: refuse to start from less.
    if (hardState.commit > Math.max(this.last, snapIndex)) {
      throw new CorruptLogError(this.path, Math.max(this.last, snapIndex) + 1,
        `missing but committed (commit index ${hardState.commit})`);
    }
    const out: LoadedLog = {
      hardState,
      confState: snapshot?.metadata.conf ?? bootConf ?? { voters: [], learners: [] },
      entries,
    };
    if (snapshot) out.snapshot = snapshot;
    return out;
  }

  save(batch: PersistBatch): Promise<void> {
    return this.serialize(batch.sync ?? true, () => {
      const ops: Op[] = [];
      if (batch.confState) ops.push({ type: 'put', key: CONF_STATE_KEY, value: sealRecord(encodeConfState(batch.confState)) });
      if (batch.snapshot) {
        // A snapshot from the leader replaces the whole log.
        ops.push({ type: 'put', key: SNAPSHOT_KEY, value: sealRecord(encodeSnapshot(batch.snapshot)) });
        for (const start of this.runs) ops.push({ type: 'del', key: entryKey(start) });
        this.runs = [];
        this.last = batch.snapshot.metadata.index;
      }
      const head = batch.entries[0];
      if (head) {
        if (head.index > this.last + 1) {
          throw new RangeError(`raft log ${this.path}: entry ${head.index} would leave a gap after ${this.last}`);
        }
        // Runs starting at or after the new entries go (a stale suffix); a
        // run starting before them is cut short by this one's key.
        while (this.runs.length > 0 && this.runs[this.runs.length - 1]! >= head.index) {
          const start = this.runs.pop()!;
          if (start !== head.index) ops.push({ type: 'del', key: entryKey(start) });
        }
        ops.push({ type: 'put', key: entryKey(head.index), value: sealRecord(encodeEntries(batch.entries)) });
        this.runs.push(head.index);
        this.last = head.index + batch.entries.length - 1;
      }
      if (batch.hardState) ops.push({ type: 'put', key: HARD_STATE_KEY, value: sealRecord(encodeHardState(batch.hardState)) });
      return ops;
    });
  }

  /**
   * The snapshot is written first, then the compacted entries are deleted
   * with a native range delete (`clear`, in ascending order) rather than in
   * the same batch: thousands of delete ops in one `batch` cost 100-200 ms
   * of event-loop time to marshal (measured with 5,000), which stalled
   * ticks and heartbeats. A crash in between leaves the snapshot and a
   * contiguous tail of the old entries, which `load` accepts. Neither write
   * is synced: LevelDB keeps writes in order, so a crash loses at most a
   * suffix of them (the old snapshot and entries then still cover the log)
   * and the node's next synced save makes them durable.
   */
  compact(index: number, snapshot: Snapshot): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.opened) throw new LogStoreClosedError(this.path);
      if (index > snapshot.metadata.index) throw new RangeError(`compact index ${index} beyond snapshot ${snapshot.metadata.index}`);
      // A snapshot of megabytes is copied three times (encoding, record,
      // LevelDB's own copy), each a 5-15 ms step at 17 MB: the event loop
      // gets a turn between them rather than one long stall.
      const payload = encodeSnapshot(snapshot);
      await nextTurn();
      const record = sealRecord(payload);
      await nextTurn();
      await this.db.put(SNAPSHOT_KEY, record, { sync: false });
      // Whole runs whose entries are all at or below `index` go; the run
      // holding index + 1 stays whole (load skips what the snapshot covers).
      let keep = 0;
      while (keep < this.runs.length && (this.runs[keep + 1] ?? this.last + 1) <= index + 1) keep++;
      if (this.last < snapshot.metadata.index) this.last = snapshot.metadata.index;
      if (keep === 0) return;
      const from = this.runs[0]!;
      const upTo = this.runs[keep - 1]!;
      this.runs = this.runs.slice(keep);
      await this.db.clear({ gte: entryKey(from), lte: entryKey(upTo) });
    };
    return this.enqueue(run);
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    if (this.opened) await this.db.close();
    this.opened = false;
  }

  private serialize(sync: boolean, build: () => Op[]): Promise<void> {
    return this.enqueue(async () => {
      if (!this.opened) throw new LogStoreClosedError(this.path);
      const ops = build();
      // The durability point: nothing that depends on this batch may leave
      // the node before this fsync'd write resolves. (An unsynced batch is
      // still ordered: the next synced one makes it durable too.)
      if (ops.length > 0) await this.db.batch(ops, { sync });
    });
  }

  /** Runs `run` after every earlier write has finished. */
  private enqueue(run: () => Promise<void>): Promise<void> {
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The entries of the run keyed `start`, checked to be consecutive from it. */
  private decodeRunRecord(start: number, value: Uint8Array): Entry[] {
    const payload = openRecord(value);
    if (!payload) throw new CorruptLogError(this.path, start, 'checksum mismatch (torn or corrupt record)');
    let run: Entry[];
    try {
      run = decodeEntries(payload);
    } catch (err) {
      throw new CorruptLogError(this.path, start, 'undecodable record', { cause: err });
    }
    for (let i = 0; i < run.length; i++) {
      const e = run[i]!;
      if (e.index !== start + i) throw new CorruptLogError(this.path, start + i, `record holds index ${e.index}`);
      if (i > 0 && e.term < run[i - 1]!.term) throw new CorruptLogError(this.path, e.index, `term ${e.term} below previous ${run[i - 1]!.term}`);
    }
    return run;
  }

  private async readMeta<T>(key: Uint8Array, name: string, decode: (b: Uint8Array) => T): Promise<T | undefined> {
    const value = await this.db.get(key);
    if (value === undefined) return undefined;
    const payload = openRecord(value);
    if (!payload) throw new CorruptLogError(this.path, name, 'checksum mismatch (torn or corrupt record)');
    try {
      return decode(payload);
    } catch (err) {
      throw new CorruptLogError(this.path, name, 'undecodable record', { cause: err });
    }
  }
}
