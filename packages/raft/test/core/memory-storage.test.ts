import t from 'tap';
import type { Entry } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';

const ent = (term: number, index: number, data = ''): Entry => ({ term, index, type: 0, data: new TextEncoder().encode(data) });
const conf = { voters: ['n1', 'n2', 'n3'], learners: [] };

function filled(n: number): MemoryStorage {
  const s = new MemoryStorage({ confState: conf });
  s.append(Array.from({ length: n }, (_, i) => ent(1 + Math.floor(i / 3), i + 1, `d${i + 1}`)));
  return s;
}

t.test('an empty storage starts at index 1 with the given state', async (t) => {
  const s = new MemoryStorage({ confState: conf, hardState: { term: 3, vote: 'n2', commit: 0 } });
  t.equal(s.firstIndex(), 1);
  t.equal(s.lastIndex(), 0);
  t.equal(s.term(0), 0);
  t.same(s.initialState(), { hardState: { term: 3, vote: 'n2', commit: 0 }, confState: conf });
});

t.test('append, read back, and overwrite a conflicting suffix', async (t) => {
  const s = filled(6);
  t.equal(s.lastIndex(), 6);
  t.same(s.entries(2, 5).map((e) => e.index), [2, 3, 4]);
  s.append([ent(9, 4, 'new4'), ent(9, 5, 'new5')]);
  t.equal(s.lastIndex(), 5, 'entries after the overwrite are gone');
  t.equal(s.term(4), 9);
  t.throws(() => s.append([ent(9, 9)]), { name: 'RaftInvariantError' }, 'a gap is refused');
});

t.test('entries honours maxBytes but returns at least one', async (t) => {
  const s = new MemoryStorage();
  s.append([ent(1, 1, 'x'.repeat(100)), ent(1, 2, 'x'.repeat(100)), ent(1, 3, 'x'.repeat(100))]);
  t.equal(s.entries(1, 4, 10).length, 1);
  t.equal(s.entries(1, 4, 250).length, 2);
  t.equal(s.entries(1, 4).length, 3);
});

t.test('snapshots and compaction', async (t) => {
  const s = filled(10);
  const snap = s.createSnapshot(6, conf, new Uint8Array([1, 2]));
  t.equal(snap.metadata.index, 6);
  t.equal(snap.metadata.term, s.term(6));
  t.equal(s.firstIndex(), 1, 'createSnapshot keeps entries');
  s.compact(4);
  t.equal(s.firstIndex(), 5);
  t.equal(s.term(4), 2, 'the boundary term is remembered');
  t.throws(() => s.term(3), { name: 'CompactedError' });
  t.throws(() => s.entries(3, 6), { name: 'CompactedError' });
  t.throws(() => s.term(11), { name: 'UnavailableError' });
  t.throws(() => s.compact(8), { name: 'RaftInvariantError' }, 'never compact past the snapshot');
  t.throws(() => s.createSnapshot(5, conf, new Uint8Array()), { name: 'SnapshotOutOfDateError' });
  s.append([ent(1, 2, 'old')]);
  t.equal(s.lastIndex(), 10, 'appending only compacted entries is a no-op');
});

t.test('applySnapshot replaces the log', async (t) => {
  const s = filled(5);
  s.applySnapshot({ metadata: { index: 20, term: 7, conf: { voters: ['a'], learners: ['b'] } }, data: new Uint8Array([9]) });
  t.equal(s.firstIndex(), 21);
  t.equal(s.lastIndex(), 20);
  t.equal(s.term(20), 7);
  t.same(s.initialState().confState, { voters: ['a'], learners: ['b'] });
  t.throws(() => s.applySnapshot({ metadata: { index: 10, term: 7, conf }, data: new Uint8Array() }), { name: 'SnapshotOutOfDateError' });
  s.append([ent(7, 21)]);
  t.equal(s.lastIndex(), 21);
});
