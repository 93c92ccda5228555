// PreVote, CheckQuorum and the leader lease.
import t from 'tap';
import { MessageType, Role } from '../../src/types.js';
import { hup, msg, Network, prop, readMessages } from './network.js';

t.test('a partitioned node with pre-vote does not raise its term', async (t) => {
  const nt = Network.of(3, { preVote: true });
  nt.send(hup('n1'));
  const term = nt.peer('n1').term;
  nt.isolate('n3');
  for (let i = 0; i < 5; i++) nt.send(hup('n3'));
  t.equal(nt.peer('n3').term, term, 'pre-vote fails without changing the term');
  t.equal(nt.peer('n3').role, Role.PreCandidate);
  nt.recover();
  nt.tick(1);
  t.equal(nt.peer('n1').role, Role.Leader, 'rejoining does not disrupt the leader');
  t.equal(nt.peer('n1').term, term);
});

t.test('without pre-vote a rejoining node forces a new election', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  const term = nt.peer('n1').term;
  nt.isolate('n3');
  nt.send(hup('n3'));
  nt.send(hup('n3'));
  t.ok(nt.peer('n3').term > term);
  nt.recover();
  // Its next campaign carries the higher term and deposes the leader.
  nt.send(hup('n3'));
  t.not(nt.peer('n1').term, term, 'the old leader saw the higher term');
  t.not(nt.peer('n1').role, Role.Leader);
});

t.test('pre-vote is granted only to an up-to-date log and needs a quorum', async (t) => {
  const nt = Network.of(3, { preVote: true });
  nt.send(hup('n1'));
  nt.isolate('n3');
  nt.send(prop('n1', 'a'));
  nt.recover();
  nt.isolate('n1');
  // n3 lacks the new entry; n2 refuses its pre-vote, so n3 never becomes candidate.
  nt.send(hup('n3'));
  t.not(nt.peer('n3').role, Role.Candidate);
  t.not(nt.peer('n3').role, Role.Leader);
  nt.send(hup('n2'));
  t.equal(nt.peer('n2').role, Role.Leader, 'n2 has the entry and wins');
});

t.test('check-quorum: a leader that hears from no quorum steps down', async (t) => {
  const nt = Network.of(3, { checkQuorum: true });
  nt.send(hup('n1'));
  t.equal(nt.peer('n1').role, Role.Leader);
  nt.isolate('n1');
  nt.tick(10);
  nt.tick(10);
  t.equal(nt.peer('n1').role, Role.Follower);
});

t.test('check-quorum: a leader with a responsive quorum stays leader', async (t) => {
  const nt = Network.of(3, { checkQuorum: true });
  nt.send(hup('n1'));
  nt.cut('n1', 'n3');
  nt.tick(40);
  t.equal(nt.peer('n1').role, Role.Leader);
});

t.test('lease: a follower that hears from its leader ignores vote requests', async (t) => {
  const nt = Network.of(3, { checkQuorum: true });
  nt.send(hup('n1'));
  const f = nt.peer('n2');
  const term = f.term;
  f.step(msg({ type: MessageType.Vote, from: 'n3', to: 'n2', term: term + 1, index: 100, logTerm: 100 }));
  t.equal(f.term, term, 'term unchanged');
  t.same(readMessages(f), [], 'no answer');
});

t.test('a stale leader learns the newer term from an answer to its heartbeat', async (t) => {
  // Pre-vote without check-quorum: the isolated leader keeps believing it leads.
  const nt = Network.of(3, { preVote: true });
  nt.send(hup('n1'));
  nt.isolate('n1');
  nt.send(hup('n2'));
  const newLeader = 'n2';
  t.equal(nt.peer(newLeader).role, Role.Leader, 'a new leader was elected');
  const old = nt.peer('n1');
  t.equal(old.role, Role.Leader, 'the old leader has not noticed');
  nt.recover();
  nt.tick(2);
  t.equal(old.role, Role.Follower, 'the stale leader stepped down');
  t.equal(old.term, nt.peer(newLeader!).term);
});
