// Log replication, after the Raft paper §5.3 and §5.4 (in the manner of etcd's raft_paper_test.go).
import t from 'tap';
import { MessageType, Role, type Entry } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { hup, ids, logOf, msg, Network, newRaft, prop, readMessages, synced } from './network.js';

const enc = new TextEncoder();
function ent(term: number, index: number, data = ''): Entry {
  return { term, index, type: 0, data: enc.encode(data) };
}

function leaderOf3() {
  const r = newRaft('n1', ids(3));
  r.becomeCandidate();
  r.becomeLeader();
  // Commit the new term's no-op, as etcd's commitNoopEntry: followers move to replicate.
  r.bcastAppend();
  for (const m of readMessages(r)) {
    r.step(msg({ type: MessageType.AppResp, from: m.to, to: 'n1', term: r.term, index: m.index + m.entries.length }));
  }
  readMessages(r);
  return r;
}

t.test('a proposal is appended by the leader and sent to every follower', async (t) => {
  const r = leaderOf3();
  const li = r.log.lastIndex();
  r.step(prop('n1', 'some data'));
  t.equal(r.log.lastIndex(), li + 1);
  const apps = readMessages(r).filter((m) => m.type === MessageType.App);
  t.same(apps.map((m) => m.to).sort(), ['n2', 'n3']);
  for (const m of apps) {
    t.equal(m.index, li, 'previous index');
    t.equal(m.logTerm, r.term, 'previous term');
    t.equal(m.entries.length, 1);
    t.equal(new TextDecoder().decode(m.entries[0]!.data), 'some data');
    t.equal(m.commit, r.log.committed);
  }
});

t.test('the leader commits an entry once a majority stores it, and tells followers', async (t) => {
  const r = leaderOf3();
  r.step(prop('n1', 'x'));
  const li = r.log.lastIndex();
  for (const m of readMessages(r)) r.step(msg({ type: MessageType.AppResp, from: m.to, to: 'n1', term: r.term, index: m.index + m.entries.length }));
  t.equal(r.log.committed, li);
  const apps = readMessages(r).filter((m) => m.type === MessageType.App);
  t.ok(apps.length > 0 && apps.every((m) => m.commit === li), 'followers learn the new commit index');
});

t.test('commit needs acknowledgements from a majority', async (t) => {
  // `synced`: the leader's driver has synced the entry (the leader counts
  // itself only then); without it, the followers alone must be a majority.
  const cases: { size: number; acks: string[]; commit: boolean; synced?: false }[] = [
    { size: 1, acks: [], commit: true },
    { size: 1, acks: [], commit: false, synced: false },
    { size: 3, acks: [], commit: false },
    { size: 3, acks: ['n2'], commit: true },
    { size: 3, acks: ['n2'], commit: false, synced: false },
    { size: 3, acks: ['n2', 'n3'], commit: true, synced: false },
    { size: 5, acks: ['n2'], commit: false },
    { size: 5, acks: ['n2', 'n3'], commit: true },
    { size: 5, acks: ['n2', 'n3'], commit: false, synced: false },
    { size: 5, acks: ['n2', 'n3', 'n4'], commit: true, synced: false },
    { size: 5, acks: ['n2', 'n3', 'n4', 'n5'], commit: true },
  ];
  for (const c of cases) {
    const r = newRaft('n1', ids(c.size));
    r.step(hup('n1'));
    if (r.role !== Role.Leader) {
      for (const id of ids(c.size).slice(1)) r.step(msg({ type: MessageType.VoteResp, from: id, to: 'n1', term: r.term }));
    }
    readMessages(r);
    r.step(prop('n1', 'x'));
    const li = r.log.lastIndex();
    if (c.synced !== false) synced(r);
    for (const id of c.acks) r.step(msg({ type: MessageType.AppResp, from: id, to: 'n1', term: r.term, index: li }));
    t.equal(r.log.committed === li, c.commit, JSON.stringify(c));
  }
});

t.test('committing an entry commits every entry before it', async (t) => {
  const storage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 2, vote: '', commit: 0 } });
  storage.append([ent(1, 1), ent(2, 2)]);
  const r = newRaft('n1', ids(3), { storage });
  r.becomeCandidate();
  r.becomeLeader();
  r.step(prop('n1', 'x'));
  const li = r.log.lastIndex();
  for (const id of ['n2', 'n3']) r.step(msg({ type: MessageType.AppResp, from: id, to: 'n1', term: r.term, index: li }));
  t.equal(r.log.committed, li);
  t.same(
    r.log.nextCommittedEnts().map((e) => e.index),
    [1, 2, 3, 4],
  );
});

t.test('a follower commits up to the leader commit but only what it holds', async (t) => {
  const r = newRaft('n1', ids(3));
  r.becomeFollower(1, 'n2');
  r.step(msg({ type: MessageType.App, from: 'n2', to: 'n1', term: 1, index: 0, logTerm: 0, entries: [ent(1, 1, 'a'), ent(1, 2, 'b')], commit: 5 }));
  t.equal(r.log.committed, 2, 'commit is capped at the last new entry');
  r.step(msg({ type: MessageType.App, from: 'n2', to: 'n1', term: 1, index: 2, logTerm: 1, entries: [ent(1, 3, 'c')], commit: 1 }));
  t.equal(r.log.committed, 2, 'commit never moves backwards');
});

t.test('a follower refuses an append whose previous entry it lacks, with a hint', async (t) => {
  const cases: { index: number; logTerm: number; reject: boolean; hint?: number }[] = [
    { index: 0, logTerm: 0, reject: false },
    { index: 1, logTerm: 1, reject: false },
    { index: 2, logTerm: 2, reject: false },
    { index: 2, logTerm: 1, reject: true, hint: 1 },
    { index: 3, logTerm: 3, reject: true, hint: 2 },
  ];
  for (const c of cases) {
    const r = newRaft('n1', ids(3));
    r.log.append([ent(1, 1), ent(2, 2)]);
    r.becomeFollower(2, 'n2');
    r.step(msg({ type: MessageType.App, from: 'n2', to: 'n1', term: 2, index: c.index, logTerm: c.logTerm }));
    const out = readMessages(r)[0]!;
    t.equal(out.reject, c.reject, JSON.stringify(c));
    if (c.hint !== undefined) t.equal(out.rejectHint, c.hint, 'hint');
  }
});

t.test('a follower drops a conflicting suffix and appends the leader entries', async (t) => {
  const cases: { index: number; logTerm: number; ents: Entry[]; want: string[] }[] = [
    { index: 2, logTerm: 2, ents: [ent(3, 3)], want: ['1:', '2:', '3:'] },
    { index: 1, logTerm: 1, ents: [ent(3, 2), ent(4, 3)], want: ['1:', '3:', '4:'] },
    { index: 0, logTerm: 0, ents: [ent(1, 1)], want: ['1:', '2:'] },
    { index: 0, logTerm: 0, ents: [ent(3, 1)], want: ['3:'] },
  ];
  for (const c of cases) {
    const r = newRaft('n1', ids(3));
    r.log.append([ent(1, 1), ent(2, 2)]);
    r.becomeFollower(2, '');
    r.step(msg({ type: MessageType.App, from: 'n2', to: 'n1', term: 2, index: c.index, logTerm: c.logTerm, entries: c.ents }));
    t.same(logOf(r), c.want, JSON.stringify(c.ents.map((e) => [e.term, e.index])));
  }
});

// Figure 7 of the paper: followers with missing, extra and conflicting
// entries all end up with the leader's log.
t.test('the leader brings every follower log in line with its own (Figure 7)', async (t) => {
  const terms = (ts: number[]): Entry[] => ts.map((term, i) => ent(term, i + 1, `t${term}i${i + 1}`));
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const followers = [
    [1, 1, 1, 4, 4, 5, 5, 6, 6],
    [1, 1, 1, 4],
    [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    [1, 1, 1, 4, 4, 4, 4],
    [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  ];
  for (const f of followers) {
    const leadStorage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 8, vote: '', commit: 0 } });
    leadStorage.append(terms(leaderLog));
    const followStorage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 7, vote: '', commit: 0 } });
    followStorage.append(terms(f));
    const lead = newRaft('n1', ids(3), { storage: leadStorage });
    const follow = newRaft('n2', ids(3), { storage: followStorage });
    const n3 = newRaft('n3', ids(3));
    n3.becomeFollower(8, '');
    const nt = new Network([lead, follow, n3]);
    // n3 votes for n1 (its log is empty); n2 may refuse. n1 wins term 9.
    nt.send(hup('n1'));
    t.equal(lead.role, Role.Leader, `leader elected for follower ${f.join(',')}`);
    nt.send(prop('n1', 'x'));
    t.same(logOf(follow), logOf(lead), `follower ${f.join(',')} matches the leader`);
  }
});

// Figure 8: an entry from an earlier term is not committed by counting
// replicas; only once an entry of the current term is stored on a majority.
t.test('a leader only commits entries of its own term by counting (Figure 8)', async (t) => {
  const storage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 2, vote: '', commit: 0 } });
  storage.append([ent(1, 1), ent(2, 2)]);
  const r = newRaft('n1', ids(3), { storage });
  r.becomeFollower(2, '');
  r.becomeCandidate();
  r.becomeLeader(); // term 3, appends a no-op at 3
  readMessages(r);
  // A majority acknowledges index 2 (term 2): not enough.
  r.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: 2 }));
  t.equal(r.log.committed, 0, 'term-2 entry is not committed by a quorum of replicas');
  r.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: 3 }));
  t.equal(r.log.committed, 3, 'the current-term entry commits it and everything before');
});

t.test('fast backtracking skips a whole conflicting term per round trip', async (t) => {
  // Leader: terms 1..1 then 5 x 100; follower: 1 then 3 x 100 (never committed).
  const leadStorage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 5, vote: '', commit: 1 } });
  leadStorage.append([ent(1, 1), ...Array.from({ length: 100 }, (_, i) => ent(4, i + 2))]);
  const followStorage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 5, vote: '', commit: 1 } });
  followStorage.append([ent(1, 1), ...Array.from({ length: 100 }, (_, i) => ent(3, i + 2))]);
  const lead = newRaft('n1', ids(3), { storage: leadStorage });
  const follow = newRaft('n2', ids(3), { storage: followStorage });
  const n3 = newRaft('n3', ids(3));
  n3.becomeFollower(5, '');
  const nt = new Network([lead, follow, n3]);
  nt.cut('n1', 'n3');
  lead.becomeCandidate();
  lead.becomeLeader();
  readMessages(lead);
  nt.send(prop('n1', 'x'));
  t.same(logOf(follow), logOf(lead), 'converged');
  const rejects = nt.delivered.filter((m) => m.type === MessageType.AppResp && m.reject && m.from === 'n2');
  t.ok(rejects.length <= 2, `few rejections (${rejects.length})`);
});
