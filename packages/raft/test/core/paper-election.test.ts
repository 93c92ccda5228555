// Leader election, after the Raft paper §5.2 (in the manner of etcd's raft_paper_test.go).
import t from 'tap';
import { MessageType, Role } from '../../src/types.js';
import { hup, ids, msg, Network, newRaft, readMessages } from './network.js';

t.test('a node starts as a follower', async (t) => {
  const r = newRaft('n1', ids(3));
  t.equal(r.role, Role.Follower);
});

t.test('a message with a higher term makes any role a follower of that term', async (t) => {
  for (const role of [Role.Follower, Role.Candidate, Role.Leader]) {
    const r = newRaft('n1', ids(3));
    if (role === Role.Candidate) r.becomeCandidate();
    if (role === Role.Leader) {
      r.becomeCandidate();
      r.becomeLeader();
    }
    r.step(msg({ type: MessageType.App, from: 'n2', to: 'n1', term: 9 }));
    t.equal(r.role, Role.Follower, role);
    t.equal(r.term, 9, role);
    t.equal(r.lead, 'n2', `${role}: an append names the leader`);
  }
});

t.test('messages with a stale term are ignored', async (t) => {
  const r = newRaft('n1', ids(3));
  r.becomeFollower(5, '');
  r.step(msg({ type: MessageType.App, from: 'n2', to: 'n1', term: 3, entries: [{ term: 3, index: 1, type: 0, data: new Uint8Array() }] }));
  t.equal(r.log.lastIndex(), 0, 'no entries appended');
  t.equal(r.term, 5);
});

t.test('a leader broadcasts heartbeats every heartbeat tick', async (t) => {
  const r = newRaft('n1', ids(3), { heartbeat: 1 });
  r.becomeCandidate();
  r.becomeLeader();
  readMessages(r);
  r.tick();
  const msgs = readMessages(r);
  t.same(msgs.map((m) => [m.type, m.to]).sort(), [
    [MessageType.Heartbeat, 'n2'],
    [MessageType.Heartbeat, 'n3'],
  ]);
});

t.test('after an election timeout a follower (or candidate) starts an election', async (t) => {
  for (const start of [Role.Follower, Role.Candidate]) {
    const r = newRaft('n1', ids(3));
    if (start === Role.Candidate) r.becomeCandidate();
    const term = r.term;
    for (let i = 0; i < 2 * 10; i++) r.tick();
    t.equal(r.role, Role.Candidate, start);
    t.ok(r.term > term, 'term incremented');
    t.equal(r.vote, 'n1', 'votes for itself');
    const votes = readMessages(r).filter((m) => m.type === MessageType.Vote);
    t.same(votes.map((m) => m.to).sort(), ['n2', 'n3'], 'asks every other voter');
    t.ok(votes.every((m) => m.term === r.term));
  }
});

t.test('an election is won, lost or pending in one round of votes', async (t) => {
  const cases: { size: number; votes: Record<string, boolean>; role: Role }[] = [
    { size: 1, votes: {}, role: Role.Leader },
    { size: 3, votes: { n2: true, n3: true }, role: Role.Leader },
    { size: 3, votes: { n2: true }, role: Role.Leader },
    { size: 5, votes: { n2: true, n3: true, n4: true, n5: true }, role: Role.Leader },
    { size: 5, votes: { n2: true, n3: true }, role: Role.Leader },
    { size: 3, votes: {}, role: Role.Candidate },
    { size: 5, votes: { n2: true }, role: Role.Candidate },
    { size: 5, votes: { n2: false, n3: false }, role: Role.Candidate },
    { size: 3, votes: { n2: false, n3: false }, role: Role.Follower },
    { size: 5, votes: { n2: false, n3: false, n4: false }, role: Role.Follower },
  ];
  for (const c of cases) {
    const r = newRaft('n1', ids(c.size));
    r.step(hup('n1'));
    for (const [from, granted] of Object.entries(c.votes)) {
      r.step(msg({ type: MessageType.VoteResp, from, to: 'n1', term: r.term, reject: !granted }));
    }
    t.equal(r.role, c.role, JSON.stringify(c));
  }
});

t.test('a follower votes for at most one candidate per term', async (t) => {
  const cases: { vote: string; nvote: string; reject: boolean }[] = [
    { vote: '', nvote: 'n2', reject: false },
    { vote: '', nvote: 'n3', reject: false },
    { vote: 'n2', nvote: 'n2', reject: false },
    { vote: 'n3', nvote: 'n3', reject: false },
    { vote: 'n2', nvote: 'n3', reject: true },
    { vote: 'n3', nvote: 'n2', reject: true },
  ];
  for (const c of cases) {
    const r = newRaft('n1', ids(3));
    r.becomeFollower(1, '');
    r.vote = c.vote;
    r.step(msg({ type: MessageType.Vote, from: c.nvote, to: 'n1', term: 1 }));
    const out = readMessages(r);
    t.equal(out.length, 1);
    t.equal(out[0]!.type, MessageType.VoteResp);
    t.equal(out[0]!.reject, c.reject, JSON.stringify(c));
  }
});

t.test('a candidate that hears from the leader of its term becomes its follower', async (t) => {
  const r = newRaft('n1', ids(3));
  r.step(hup('n1'));
  t.equal(r.role, Role.Candidate);
  r.step(msg({ type: MessageType.App, from: 'n2', to: 'n1', term: r.term }));
  t.equal(r.role, Role.Follower);
  t.equal(r.lead, 'n2');
});

t.test('election timeouts are randomized in [electionTick, 2*electionTick)', async (t) => {
  const r = newRaft('n1', ids(3), { election: 10 });
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    r.becomeFollower(r.term + 1, '');
    seen.add(r.randomizedElectionTimeout);
    t.ok(r.randomizedElectionTimeout >= 10 && r.randomizedElectionTimeout < 20);
  }
  t.ok(seen.size > 5, 'timeouts vary');
});

t.test('the election restriction: votes only for a log at least as up to date (§5.4.1)', async (t) => {
  // Voter's log: entries of terms 1 and 2 (last index 2, last term 2).
  const cases: { index: number; logTerm: number; reject: boolean }[] = [
    { index: 1, logTerm: 1, reject: true },
    { index: 2, logTerm: 1, reject: true },
    { index: 3, logTerm: 1, reject: true },
    { index: 1, logTerm: 2, reject: true },
    { index: 2, logTerm: 2, reject: false },
    { index: 3, logTerm: 2, reject: false },
    { index: 1, logTerm: 3, reject: false },
  ];
  for (const c of cases) {
    const r = newRaft('n1', ids(3));
    r.log.append([
      { term: 1, index: 1, type: 0, data: new Uint8Array() },
      { term: 2, index: 2, type: 0, data: new Uint8Array() },
    ]);
    r.step(msg({ type: MessageType.Vote, from: 'n2', to: 'n1', term: 3, index: c.index, logTerm: c.logTerm }));
    const out = readMessages(r);
    t.equal(out[0]!.reject, c.reject, JSON.stringify(c));
  }
});

t.test('a whole cluster elects exactly one leader and the others follow it', async (t) => {
  const nt = Network.of(5);
  nt.send(hup('n1'));
  t.equal(nt.peer('n1').role, Role.Leader);
  for (const id of ids(5).slice(1)) {
    t.equal(nt.peer(id).role, Role.Follower);
    t.equal(nt.peer(id).lead, 'n1');
  }
});

t.test('a partitioned minority cannot elect a leader; the majority can', async (t) => {
  const nt = Network.of(5);
  nt.isolate('n1');
  nt.cut('n2', 'n3');
  nt.cut('n2', 'n4');
  nt.cut('n2', 'n5');
  nt.send(hup('n1'));
  t.equal(nt.peer('n1').role, Role.Candidate, 'isolated candidate does not win');
  nt.send(hup('n3'));
  t.equal(nt.peer('n3').role, Role.Leader, 'n3, n4, n5 are a majority');
});
