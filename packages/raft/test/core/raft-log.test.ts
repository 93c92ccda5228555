// The log: stable storage followed by unstable entries, conflicts, commit rules.
import t from 'tap';
import type { Entry } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { RaftLog } from '../../src/core/raft-log.js';
import { noopLogger } from '../../src/core/deps.js';

const ent = (term: number, index: number, size = 0): Entry => ({ term, index, type: 0, data: new Uint8Array(size) });

/** A log with entries 1..stable in storage and stable+1..last unstable, all of term 1 unless given. */
function logWith(stable: number, last: number, size = 0): RaftLog {
  const s = new MemoryStorage();
  s.append(Array.from({ length: stable }, (_, i) => ent(1, i + 1, size)));
  const log = new RaftLog(s, noopLogger);
  if (last > stable) log.append(Array.from({ length: last - stable }, (_, i) => ent(1, stable + i + 1, size)));
  return log;
}

t.test('slice spans storage and unstable entries', async (t) => {
  const log = logWith(5, 10);
  t.same(log.slice(3, 9).map((e) => e.index), [3, 4, 5, 6, 7, 8]);
  t.same(log.slice(6, 11).map((e) => e.index), [6, 7, 8, 9, 10]);
  t.same(log.slice(1, 3).map((e) => e.index), [1, 2]);
  t.throws(() => log.slice(0, 3), { name: 'CompactedError' });
  t.throws(() => log.slice(1, 12), { name: 'UnavailableError' });
});

t.test('slice honours maxBytes across the storage/unstable boundary', async (t) => {
  // Each entry counts 100 payload + 16 overhead = 116 bytes.
  const log = logWith(3, 8, 100);
  t.same(log.slice(1, 9, 116).map((e) => e.index), [1], 'at least one entry');
  t.same(log.slice(1, 9, 350).map((e) => e.index), [1, 2, 3], 'stops inside storage');
  t.same(log.slice(1, 9, 500).map((e) => e.index), [1, 2, 3, 4], 'continues into unstable within budget');
  t.same(log.slice(2, 9, 464).map((e) => e.index), [2, 3, 4, 5]);
  t.same(log.slice(4, 9, 240).map((e) => e.index), [4, 5], 'only unstable');
  t.same(log.slice(1, 9).length, 8, 'no limit');
});

t.test('findConflict names the first new or conflicting entry', async (t) => {
  const log = logWith(3, 3);
  t.equal(log.findConflict([]), 0);
  t.equal(log.findConflict([ent(1, 1), ent(1, 2)]), 0, 'all held');
  t.equal(log.findConflict([ent(1, 3), ent(1, 4)]), 4, 'new entry');
  t.equal(log.findConflict([ent(1, 2), ent(2, 3)]), 3, 'conflicting term');
});

t.test('findConflictByTerm finds the last index whose term is at most the given one', async (t) => {
  const s = new MemoryStorage();
  s.append([ent(1, 1), ent(1, 2), ent(3, 3), ent(3, 4), ent(5, 5), ent(5, 6)]);
  const log = new RaftLog(s, noopLogger);
  t.same(log.findConflictByTerm(6, 4), { index: 4, term: 3 });
  t.same(log.findConflictByTerm(6, 2), { index: 2, term: 1 });
  t.same(log.findConflictByTerm(6, 5), { index: 6, term: 5 });
  t.same(log.findConflictByTerm(6, 0), { index: 0, term: 0 });
});

t.test('maybeAppend checks the previous entry and never commits past the new entries', async (t) => {
  const log = logWith(3, 3);
  t.equal(log.maybeAppend(3, 2, 3, [ent(2, 4)]), undefined, 'previous term mismatch');
  t.equal(log.maybeAppend(3, 1, 10, [ent(2, 4)]), 4);
  t.equal(log.committed, 4, 'commit capped at the last new entry');
  t.equal(log.maybeAppend(2, 1, 10, []), 2);
  t.equal(log.committed, 4, 'commit never decreases');
  t.throws(() => log.maybeAppend(2, 1, 4, [ent(9, 3)]), { name: 'RaftInvariantError' }, 'a committed entry is never overwritten');
});

t.test('isUpToDate compares last term, then last index', async (t) => {
  const log = logWith(3, 3);
  t.ok(log.isUpToDate(3, 1));
  t.ok(log.isUpToDate(1, 2));
  t.ok(log.isUpToDate(4, 1));
  t.notOk(log.isUpToDate(2, 1));
  t.notOk(log.isUpToDate(9, 0));
});

t.test('stableTo keeps entries that were replaced in memory meanwhile', async (t) => {
  const log = logWith(0, 3);
  log.append([ent(2, 3)]); // a new leader replaced entry 3 before the old one was persisted
  log.unstable.stableTo(3, 1);
  t.equal(log.unstable.offset, 1, 'the replaced entry is still unstable');
  log.unstable.stableTo(3, 2);
  t.equal(log.unstable.entries.length, 0);
});

t.test('nextCommittedEnts hands out committed, unapplied entries', async (t) => {
  const log = logWith(2, 5);
  t.same(log.nextCommittedEnts(), []);
  log.commitTo(4);
  t.same(log.nextCommittedEnts().map((e) => e.index), [1, 2, 3, 4]);
  log.appliedTo(2);
  t.same(log.nextCommittedEnts().map((e) => e.index), [3, 4]);
  t.throws(() => log.appliedTo(5), { name: 'RaftInvariantError' });
  t.throws(() => log.commitTo(9), { name: 'RaftInvariantError' });
});
