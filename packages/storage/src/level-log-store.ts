/**
 * `LogStore` on LevelDB (`level`). Every `save` is one atomic batch written
 * with `sync: true` (unless the node says it need not be), so a crash keeps
 * either all of it or none of it; `compact` is ordered the same way (see
 * there). Values are checksummed records; `load` refuses a log with a bad
 * record, a gap, or fewer entries than the saved commit index, naming the
 * store path and the index, rather than start from less than was committed.
 */
import { Level } from 'level';
import {
  decodeConfState,
  decodeEntry,
  decodeHardState,
  decodeSnapshot,
  emptyHardState,
  encodeConfState,
  encodeEntry,
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

type Op =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };

export class LevelLogStore implements LogStore {
  private readonly db: Level<Uint8Array, Uint8Array>;
  private opened = false;
  /** Stored entries are exactly [first, last]; empty when last < first. */
  private first = 1;
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
    let first = 0;
    let prev: Entry | undefined;
    for await (const [key, value] of this.db.iterator({ gte: entryKey(0), lt: ENTRY_KEY_END })) {
      const index = entryKeyIndex(key);
      const e = this.decodeEntryRecord(index, value);
      if (prev && index !== prev.index + 1) {
        throw new CorruptLogError(this.path, prev.index + 1, 'missing (gap in the log)');
      }
      if (prev && e.term < prev.term) throw new CorruptLogError(this.path, index, `term ${e.term} below previous ${prev.term}`);
      if (first === 0) first = index;
      prev = e;
      // Entries up to the snapshot are kept for slow followers only; the
      // restarted node starts its in-memory log after the snapshot.
      if (index > snapIndex) entries.push(e);
    }
    if (first !== 0 && first > snapIndex + 1) {
      throw new CorruptLogError(this.path, snapIndex + 1, `missing: log starts at ${first} after snapshot ${snapIndex}`);
    }
    this.first = first === 0 ? snapIndex + 1 : first;
    this.last = prev?.index ?? snapIndex;
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
        for (let i = this.first; i <= this.last; i++) ops.push({ type: 'del', key: entryKey(i) });
        this.first = batch.snapshot.metadata.index + 1;
        this.last = batch.snapshot.metadata.index;
      }
      const head = batch.entries[0];
      if (head) {
        if (head.index > this.last + 1) {
          throw new RangeError(`raft log ${this.path}: entry ${head.index} would leave a gap after ${this.last}`);
        }
        const end = head.index + batch.entries.length - 1;
        // Drop a stale suffix longer than the entries that replace it.
        for (let i = end + 1; i <= this.last; i++) ops.push({ type: 'del', key: entryKey(i) });
        for (const e of batch.entries) ops.push({ type: 'put', key: entryKey(e.index), value: sealRecord(encodeEntry(e)) });
        if (head.index < this.first) this.first = head.index;
        this.last = end;
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
      await this.db.put(SNAPSHOT_KEY, sealRecord(encodeSnapshot(snapshot)), { sync: false });
      const upTo = Math.min(index, this.last);
      const from = this.first;
      this.first = Math.max(this.first, index + 1);
      if (this.last < snapshot.metadata.index) this.last = snapshot.metadata.index;
      if (upTo >= from) await this.db.clear({ gte: entryKey(from), lte: entryKey(upTo) });
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

  private decodeEntryRecord(index: number, value: Uint8Array): Entry {
    const payload = openRecord(value);
    if (!payload) throw new CorruptLogError(this.path, index, 'checksum mismatch (torn or corrupt record)');
    let e: Entry;
    try {
      e = decodeEntry(payload);
    } catch (err) {
      throw new CorruptLogError(this.path, index, 'undecodable record', { cause: err });
    }
    if (e.index !== index) throw new CorruptLogError(this.path, index, `record holds index ${e.index}`);
    return e;
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
