import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { EntryType, encodeEntries, encodeSnapshot, type Entry, type Snapshot } from '@shoal/raft';
import { LevelLogStore, CorruptLogError } from '../src/index.js';
import { SNAPSHOT_KEY, SNAPSHOT_REF_KEY, entryKey } from '../src/keys.js';
import { SnapshotFiles } from '../src/snapshot-files.js';
import { RECORD_HEADER_BYTES, sealInPlace, sealRecord } from '../src/record.js';

const enc = new TextEncoder();
const entry = (index: number, term: number, s = `v${index}`): Entry => ({ index, term, type: EntryType.Normal, data: enc.encode(s) });
const conf = { voters: ['a', 'b', 'c'], learners: [] };

function tempDir(t: Tap.Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-logstore-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function reopen(path: string): Promise<LevelLogStore> {
  const s = new LevelLogStore(path);
  await s.load();
  return s;
}

/** Entries `1..n` of term 1, one save each. */
async function saveEntries(s: LevelLogStore, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await s.save({ entries: [entry(i, 1)] });
}

/** The store's LevelDB opened directly, to write or check records behind the store's back. */
const rawLevel = (dir: string) => new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });

t.test('a fresh store loads empty', async (t) => {
  const s = new LevelLogStore(tempDir(t));
  const l = await s.load();
  t.same(l.hardState, { term: 0, vote: '', commit: 0 });
  t.same(l.entries, []);
  t.equal(l.snapshot, undefined);
  await s.close();
});

t.test('entries, hard state and configuration survive a restart', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await s.save({ confState: conf, entries: [] });
  await s.save({ hardState: { term: 2, vote: 'a', commit: 2 }, entries: [entry(1, 1), entry(2, 2), entry(3, 2)] });
  await s.close();
  const again = new LevelLogStore(dir);
  const l = await again.load();
  t.same(l.hardState, { term: 2, vote: 'a', commit: 2 });
  t.same(l.confState, conf);
  t.same(l.entries, [entry(1, 1), entry(2, 2), entry(3, 2)]);
  await again.close();
});

t.test('a conflicting suffix is replaced, a longer stale tail deleted', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await s.save({ entries: [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)] });
  await s.save({ entries: [entry(3, 2, 'new')] });
  await s.close();
  const l = await (await reopen(dir)).load();
  t.same(l.entries, [entry(1, 1), entry(2, 1), entry(3, 2, 'new')]);
});

t.test('the entries of one save are one record; a later save cuts an earlier run short', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await s.save({ entries: [entry(1, 1), entry(2, 1)] });
  await s.save({ entries: [entry(3, 1), entry(4, 1), entry(5, 1), entry(6, 1)] });
  // A new leader's entries replace 5.. in the middle of the run 3..6.
  await s.save({ entries: [entry(5, 2, 'new5')] });
  await s.save({ entries: [entry(6, 2, 'new6'), entry(7, 2)] });
  await s.close();
  const raw = rawLevel(dir);
  const keys: number[] = [];
  for await (const k of raw.keys({ gte: entryKey(0), lte: entryKey(1000) })) keys.push(new DataView(k.buffer, k.byteOffset).getUint32(5));
  await raw.close();
  t.same(keys, [1, 3, 5, 6], 'one record per save');
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  await s2.close();
  t.same(l.entries, [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1), entry(5, 2, 'new5'), entry(6, 2, 'new6'), entry(7, 2)]);

  // Replacing from inside the first run drops every later run.
  const s3 = await reopen(dir);
  await s3.save({ entries: [entry(2, 3, 'x')] });
  await s3.save({ entries: [entry(3, 3, 'y')] });
  await s3.close();
  const s4 = new LevelLogStore(dir);
  t.same((await s4.load()).entries, [entry(1, 1), entry(2, 3, 'x'), entry(3, 3, 'y')]);
  // Compaction keeps the run that holds the entry after the compaction point.
  await s4.compact(2, { metadata: { index: 2, term: 3, conf }, data: enc.encode('state@2') });
  await s4.save({ entries: [entry(4, 3)] });
  await s4.close();
  const s5 = new LevelLogStore(dir);
  const l5 = await s5.load();
  t.equal(l5.snapshot?.metadata.index, 2);
  t.same(l5.entries, [entry(3, 3, 'y'), entry(4, 3)]);
  await s5.close();
});

t.test('an entry past the end is refused', async (t) => {
  const s = await reopen(tempDir(t));
  await s.save({ entries: [entry(1, 1)] });
  await t.rejects(s.save({ entries: [entry(3, 1)] }), /gap/);
  await s.close();
});

t.test('a received snapshot replaces the log; compaction keeps the tail', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await s.save({ entries: [entry(1, 1), entry(2, 1)] });
  const snap: Snapshot = { metadata: { index: 10, term: 3, conf }, data: enc.encode('state@10') };
  await s.save({ snapshot: snap, hardState: { term: 3, vote: '', commit: 10 }, entries: [] });
  await s.save({ entries: [entry(11, 3), entry(12, 3), entry(13, 3)] });
  const snap2: Snapshot = { metadata: { index: 12, term: 3, conf }, data: enc.encode('state@12') };
  await s.compact(11, snap2);
  await s.close();
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  t.same(l.snapshot, snap2);
  t.same(l.confState, conf);
  t.same(l.entries, [entry(13, 3)], 'entries after the snapshot only');
  await s2.close();
});

t.test('compacting thousands of entries leaves the tail, survives a restart and barely blocks the event loop', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  const all = Array.from({ length: 6000 }, (_, i) => entry(i + 1, 1));
  for (let i = 0; i < all.length; i += 500) await s.save({ entries: all.slice(i, i + 500), hardState: { term: 1, vote: '', commit: i } });
  let maxGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  await s.compact(5000, { metadata: { index: 5500, term: 1, conf }, data: enc.encode('state@5500') });
  clearInterval(timer);
  // Deleting 5,000 entries inside one batch used to take over 100 ms of
  // event-loop time; the range delete runs on LevelDB's thread.
  t.ok(maxGap < 80, `longest event-loop gap ${Math.round(maxGap)} ms`);
  await s.save({ entries: [entry(6001, 1)] });
  await s.close();
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  t.equal(l.snapshot?.metadata.index, 5500);
  t.same(l.entries.map((e) => e.index), Array.from({ length: 501 }, (_, i) => 5501 + i), 'entries after the snapshot');
  await s2.close();
  const raw = rawLevel(dir);
  t.equal(await raw.get(entryKey(5000)), undefined, 'compacted entries are gone');
  t.ok(await raw.get(entryKey(5001)), 'entries behind the snapshot for slow followers stay');
  await raw.close();
});

t.test('a crash part-way through a compaction (snapshot written, a prefix of the entries deleted) still loads', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await saveEntries(s, 10);
  await s.close();
  const raw = rawLevel(dir);
  const snap: Snapshot = { metadata: { index: 8, term: 1, conf }, data: enc.encode('state@8') };
  await raw.put(SNAPSHOT_KEY, sealRecord(encodeSnapshot(snap)));
  await raw.clear({ gte: entryKey(1), lte: entryKey(3) });
  await raw.close();
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  t.equal(l.snapshot?.metadata.index, 8);
  t.same(l.entries.map((e) => e.index), [9, 10]);
  await s2.close();
});

t.test('a corrupt record is an error naming the path and the index', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  // One save per entry: one record each.
  for (let i = 1; i <= 3; i++) await s.save({ hardState: { term: 1, vote: 'a', commit: i }, entries: [entry(i, 1)] });
  await s.close();
  const raw = rawLevel(dir);
  const good = (await raw.get(entryKey(2)))!;
  const bad = good.slice();
  bad[bad.length - 1] ^= 0xff;
  await raw.put(entryKey(2), bad);
  await raw.close();
  const s2 = new LevelLogStore(dir);
  const err = await s2.load().then(() => undefined, (e: unknown) => e);
  t.type(err, CorruptLogError);
  t.match((err as Error).message, dir);
  t.match((err as Error).message, /entry 2 /);
  t.equal((err as CorruptLogError).record, 2);
  await s2.close();
});

t.test('a torn (truncated) record is an error naming the index', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await s.save({ entries: [entry(1, 1), entry(2, 1)] });
  await s.close();
  const raw = rawLevel(dir);
  const good = (await raw.get(entryKey(1)))!;
  await raw.put(entryKey(1), good.subarray(0, 3));
  await raw.close();
  const s2 = new LevelLogStore(dir);
  await t.rejects(s2.load(), { name: 'CorruptLogError', record: 1 });
  await s2.close();
});

t.test('missing committed entries are never silently dropped', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  for (let i = 1; i <= 3; i++) await s.save({ hardState: { term: 1, vote: 'a', commit: i }, entries: [entry(i, 1)] });
  await s.close();
  const raw = rawLevel(dir);
  const third = (await raw.get(entryKey(3)))!;
  await raw.del(entryKey(3));
  await raw.close();
  const s2 = new LevelLogStore(dir);
  await t.rejects(s2.load(), { name: 'CorruptLogError', record: 3, message: /committed/ });
  await s2.close();
  const raw2 = rawLevel(dir);
  await raw2.put(entryKey(3), third);
  await raw2.del(entryKey(2));
  await raw2.close();
  const s3 = new LevelLogStore(dir);
  await t.rejects(s3.load(), { name: 'CorruptLogError', record: 2 });
  await s3.close();
});

const snapFiles = (dir: string): string[] => {
  try {
    return readdirSync(join(dir, 'snap')).sort();
  } catch {
    return [];
  }
};

t.test('snapshot data lives in one file per snapshot; LevelDB keeps only the reference', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  for (let i = 1; i <= 6; i++) await s.save({ entries: [entry(i, 1)], hardState: { term: 1, vote: '', commit: i } });
  const big = new Uint8Array(3 << 20).map((_, i) => i % 251); // more than one checksum slice
  await s.compact(3, { metadata: { index: 4, term: 1, conf }, data: big });
  t.same(snapFiles(dir), [SnapshotFiles.fileName({ index: 4, term: 1 })]);
  await s.compact(5, { metadata: { index: 6, term: 1, conf }, data: enc.encode('state@6') });
  t.same(snapFiles(dir), [SnapshotFiles.fileName({ index: 6, term: 1 })], 'the older file is removed once the newer is referenced');
  await s.close();
  const raw = rawLevel(dir);
  const ref = (await raw.get(SNAPSHOT_REF_KEY))!;
  t.ok(ref.length < 100, `reference record of ${ref.length} bytes`);
  await raw.close();
  const s3 = new LevelLogStore(dir);
  const l3 = await s3.load();
  t.equal(new TextDecoder().decode(l3.snapshot!.data), 'state@6');
  t.same(l3.entries.map((e) => e.index), []);
  await s3.close();
});

t.test('a store written with the whole snapshot in LevelDB loads, and its next snapshot moves to a file', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await saveEntries(s, 10);
  await s.close();
  const raw = rawLevel(dir);
  await raw.put(SNAPSHOT_KEY, sealRecord(encodeSnapshot({ metadata: { index: 5, term: 1, conf }, data: enc.encode('old@5') })));
  await raw.close();
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  t.equal(new TextDecoder().decode(l.snapshot!.data), 'old@5');
  await s2.compact(8, { metadata: { index: 9, term: 1, conf }, data: enc.encode('new@9') });
  await s2.close();
  const raw2 = rawLevel(dir);
  t.equal(await raw2.get(SNAPSHOT_KEY), undefined, 'the old whole record is gone');
  await raw2.close();
  const s3 = new LevelLogStore(dir);
  const l3 = await s3.load();
  t.equal(new TextDecoder().decode(l3.snapshot!.data), 'new@9');
  t.same(l3.entries.map((e) => e.index), [10]);
  await s3.close();
});

t.test('a crash after a snapshot file is written but before it is referenced keeps the older snapshot', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await saveEntries(s, 10);
  await s.compact(3, { metadata: { index: 4, term: 1, conf }, data: enc.encode('state@4') });
  await s.close();
  // The next compaction's file reached the disk; its reference did not.
  const files = new SnapshotFiles(join(dir, 'snap'), dir);
  await files.write({ index: 8, term: 1 }, enc.encode('state@8'));
  writeFileSync(join(dir, 'snap', `${SnapshotFiles.fileName({ index: 9, term: 1 })}.3.tmp`), 'half');
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  t.equal(new TextDecoder().decode(l.snapshot!.data), 'state@4');
  t.same(l.entries.map((e) => e.index), [5, 6, 7, 8, 9, 10]);
  t.same(snapFiles(dir), [SnapshotFiles.fileName({ index: 4, term: 1 })], 'unreferenced files are removed at load');
  await s2.close();
});

t.test('a missing or damaged snapshot file is an error naming the store and the file', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  for (let i = 1; i <= 4; i++) await s.save({ entries: [entry(i, 1)], hardState: { term: 1, vote: '', commit: i } });
  await s.compact(3, { metadata: { index: 4, term: 1, conf }, data: enc.encode('state@4') });
  await s.close();
  const name = SnapshotFiles.fileName({ index: 4, term: 1 });
  const file = join(dir, 'snap', name);
  const good = readFileSync(file);
  const bad = Buffer.from(good);
  bad[bad.length - 1]! ^= 0xff;
  writeFileSync(file, bad);
  const s2 = new LevelLogStore(dir);
  const err = await s2.load().then(() => undefined, (e: unknown) => e);
  t.type(err, CorruptLogError);
  t.match((err as Error).message, dir);
  t.match((err as Error).message, name);
  t.match((err as Error).message, /checksum/);
  await s2.close();
  rmSync(file);
  const s3 = new LevelLogStore(dir);
  await t.rejects(s3.load(), { name: 'CorruptLogError', record: 'snapshot', message: /unreadable/ });
  await s3.close();
});

t.test('a snapshot received from the leader replaces the older file', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await saveEntries(s, 4);
  await s.compact(3, { metadata: { index: 4, term: 1, conf }, data: enc.encode('state@4') });
  await s.save({ snapshot: { metadata: { index: 20, term: 2, conf }, data: enc.encode('leader@20') }, hardState: { term: 2, vote: '', commit: 20 }, entries: [] });
  t.same(snapFiles(dir), [SnapshotFiles.fileName({ index: 20, term: 2 })]);
  // A compaction that was taken before the install and ends after it changes nothing.
  await s.compact(4, { metadata: { index: 4, term: 1, conf }, data: enc.encode('stale@4') });
  t.same(snapFiles(dir), [SnapshotFiles.fileName({ index: 20, term: 2 })]);
  await s.close();
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  t.equal(new TextDecoder().decode(l.snapshot!.data), 'leader@20');
  t.equal(l.hardState.commit, 20);
  await s2.close();
});

t.test('saves do not wait while a snapshot file is being written, and close waits for it', async (t) => {
  const dir = tempDir(t);
  const s = await reopen(dir);
  await saveEntries(s, 4);
  // Hold the file write back, as a slow disk would.
  const files = (s as unknown as { files: SnapshotFiles }).files;
  const write = files.write.bind(files);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  files.write = async (meta, data) => {
    await held;
    return write(meta, data);
  };
  let compacted = false;
  const compacting = s.compact(3, { metadata: { index: 4, term: 1, conf }, data: enc.encode('state@4') }).then(() => (compacted = true));
  await s.save({ entries: [entry(5, 1)], hardState: { term: 1, vote: '', commit: 5 } });
  t.notOk(compacted, 'the save finished while the snapshot file was still being written');
  let closed = false;
  const closing = s.close().then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 20));
  t.notOk(closed, 'close waits for the compaction');
  release();
  await compacting;
  await closing;
  const s2 = new LevelLogStore(dir);
  const l = await s2.load();
  t.equal(new TextDecoder().decode(l.snapshot!.data), 'state@4');
  t.same(l.entries.map((e) => e.index), [5]);
  await s2.close();
});

t.test('a closed store refuses writes', async (t) => {
  const s = await reopen(tempDir(t));
  await s.close();
  await t.rejects(s.save({ entries: [entry(1, 1)] }), { name: 'LogStoreClosedError' });
});

t.test('an entry run is sealed in place: the same bytes as sealing a copy of its encoding', async (t) => {
  const ents = [entry(1, 1, 'a'.repeat(5000)), entry(2, 1, 'ü')];
  const inPlace = sealInPlace(encodeEntries(ents, RECORD_HEADER_BYTES));
  t.same(Buffer.from(inPlace), Buffer.from(sealRecord(encodeEntries(ents))));
  t.throws(() => sealInPlace(new Uint8Array(3)), RangeError);
  const dir = tempDir(t);
  const s = await reopen(dir);
  await s.save({ entries: ents });
  await s.close();
  const raw = rawLevel(dir);
  const stored = await raw.get(entryKey(1), { valueEncoding: 'view' });
  await raw.close();
  t.same(Buffer.from(stored!), Buffer.from(inPlace), 'what the store wrote');
});
