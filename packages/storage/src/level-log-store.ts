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
 *
 * Snapshot data is kept in files in `<path>/snap` (see snapshot-files.ts);
 * LevelDB holds the current snapshot's metadata, which names its file.
 */
import { join } from 'node:path';
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
import { CONF_STATE_KEY, ENTRY_KEY_END, HARD_STATE_KEY, SNAPSHOT_KEY, SNAPSHOT_REF_KEY, entryKey, entryKeyIndex } from './keys.js';
import { SnapshotFiles } from './snapshot-files.js';
import { RECORD_HEADER_BYTES, openRecord, sealInPlace, sealRecord } from './record.js';
import { CorruptLogError, LogStoreClosedError } from './errors.js';

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
  private readonly files: SnapshotFiles;
  /** Compactions whose snapshot file is still being written. */
  private readonly compacting = new Set<Promise<void>>();
  /** Index of the snapshot the store references now (0: none). */
  private snapIndex = 0;

  constructor(readonly path: string) {
    // No Snappy: the log's tables live only until the next snapshot
    // compacts them, and compressing every flush and compaction took about
    // 0.7% of a leader's CPU samples under the bench for disk we do not miss.
    this.db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view', compression: false });
    this.files = new SnapshotFiles(join(path, 'snap'), path);
  }

  async load(): Promise<LoadedLog> {
    if (!this.opened) {
      await this.db.open();
      this.opened = true;
    }
    const hardState = await this.readMeta(HARD_STATE_KEY, 'hard state', decodeHardState) ?? emptyHardState();
    const bootConf = await this.readMeta(CONF_STATE_KEY, 'configuration', decodeConfState);
    const snapshot = await this.readSnapshot();
    const snapIndex = snapshot?.metadata.index ?? 0;
    this.snapIndex = snapIndex;
    // Files of older snapshots and any a crash left unreferenced.
    await this.files.prune(snapIndex, true);

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
    const snap = batch.snapshot;
    // A received snapshot's batch is always synced: the older snapshot's
    // file is removed right after it.
    return this.serialize(snap ? true : batch.sync ?? true, async () => {
      const ops: Op[] = [];
      if (batch.confState) ops.push({ type: 'put', key: CONF_STATE_KEY, value: sealRecord(encodeConfState(batch.confState)) });
      if (snap) {
        // A snapshot from the leader replaces the whole log. Its file is
        // durable before the batch that references it.
        await this.files.write(snap.metadata, snap.data);
        ops.push(...this.referenceOps(snap));
        for (const start of this.runs) ops.push({ type: 'del', key: entryKey(start) });
        this.runs = [];
        this.last = snap.metadata.index;
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
        ops.push({ type: 'put', key: entryKey(head.index), value: sealInPlace(encodeEntries(batch.entries, RECORD_HEADER_BYTES)) });
        this.runs.push(head.index);
        this.last = head.index + batch.entries.length - 1;
      }
      if (batch.hardState) ops.push({ type: 'put', key: HARD_STATE_KEY, value: sealRecord(encodeHardState(batch.hardState)) });
      return ops;
    }, snap && (() => this.files.prune(snap.metadata.index)));
  }

  /**
   * The snapshot's file is written first, outside the queue of log writes
   * (saves go on while it is written and synced on the thread pool); then
   * the compaction joins the queue: a synced reference to the file, then
   * the compacted entries are deleted with a native range delete (`clear`,
   * in ascending order) rather than in the same batch: thousands of delete
   * ops in one `batch` cost 100-200 ms of event-loop time to marshal
   * (measured with 5,000), which stalled ticks and heartbeats. A crash in
   * between leaves the snapshot and a contiguous tail of the old entries,
   * which `load` accepts; a crash before the reference is written leaves
   * the old snapshot, whose file is removed only after the new reference is
   * durable. The deletes are not synced: a crash loses at most a suffix of
   * them.
   */
  compact(index: number, snapshot: Snapshot): Promise<void> {
    const meta = snapshot.metadata;
    if (index > meta.index) return Promise.reject(new RangeError(`compact index ${index} beyond snapshot ${meta.index}`));
    if (!this.opened) return Promise.reject(new LogStoreClosedError(this.path));
    // Only once the file is on disk does the compaction join the queue:
    // saves made meanwhile do not wait for the file.
    const done = this.files.write(meta, snapshot.data).then(() => this.enqueue(async () => {
      if (!this.opened) throw new LogStoreClosedError(this.path);
      if (meta.index <= this.snapIndex) {
        // A newer snapshot (one received from the leader) was stored meanwhile.
        await this.files.remove(meta);
        return;
      }
      await this.db.batch(this.referenceOps(snapshot), { sync: true });
      await this.files.prune(meta.index);
      // Whole runs whose entries are all at or below `index` go; the run
      // holding index + 1 stays whole (load skips what the snapshot covers).
      let keep = 0;
      while (keep < this.runs.length && (this.runs[keep + 1] ?? this.last + 1) <= index + 1) keep++;
      if (this.last < meta.index) this.last = meta.index;
      if (keep === 0) return;
      const from = this.runs[0]!;
      const upTo = this.runs[keep - 1]!;
      this.runs = this.runs.slice(keep);
      await this.db.clear({ gte: entryKey(from), lte: entryKey(upTo) });
    }));
    this.compacting.add(done);
    const forget = (): void => void this.compacting.delete(done);
    done.then(forget, forget);
    return done;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.compacting]);
    await this.chain.catch(() => undefined);
    if (this.opened) await this.db.close();
    this.opened = false;
  }

  private serialize(sync: boolean, build: () => Op[] | Promise<Op[]>, after?: () => Promise<void>): Promise<void> {
    return this.enqueue(async () => {
      if (!this.opened) throw new LogStoreClosedError(this.path);
      const ops = await build();
      // The durability point: nothing that depends on this batch may leave
      // the node before this fsync'd write resolves. (An unsynced batch is
      // still ordered: the next synced one makes it durable too.)
      if (ops.length > 0) await this.db.batch(ops, { sync });
      if (after) await after();
    });
  }

  /** The ops that make `snap` (its file already written) the store's snapshot. */
  private referenceOps(snap: Snapshot): Op[] {
    this.snapIndex = snap.metadata.index;
    return [
      { type: 'put', key: SNAPSHOT_REF_KEY, value: sealRecord(encodeSnapshot({ metadata: snap.metadata, data: new Uint8Array(0) })) },
      // The layout before snapshot files, if this store was written by it.
      { type: 'del', key: SNAPSHOT_KEY },
    ];
  }

  /** The current snapshot: its reference and file, or a whole record of the older layout. */
  private async readSnapshot(): Promise<Snapshot | undefined> {
    const ref = await this.readMeta(SNAPSHOT_REF_KEY, 'snapshot', decodeSnapshot);
    if (ref) return { metadata: ref.metadata, data: await this.files.read(ref.metadata) };
    return this.readMeta(SNAPSHOT_KEY, 'snapshot', decodeSnapshot);
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
