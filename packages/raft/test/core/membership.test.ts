// Membership changes one server at a time: learners, promotion, removal.
import t from 'tap';
import { ConfChangeType, EntryType, MessageType, Role, type ConfChange } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { decodeConfChange, encodeConfChange } from '../../src/core/conf-change.js';
import { hup, ids, msg, Network, newRaft, readMessages } from './network.js';
import type { Raft } from '../../src/core/raft.js';

function ccProp(to: string, cc: ConfChange) {
  return msg({ type: MessageType.Prop, from: to, to, entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) }] });
}

/** Applies committed entries on every node, as drivers do, including conf changes. */
function applyAll(nt: Network): void {
  for (const r of nt.peers.values()) applyCommitted(r);
}
function applyCommitted(r: Raft): void {
  for (const e of r.log.nextCommittedEnts()) {
    if (e.type === EntryType.ConfChange) r.applyConfChange(decodeConfChange(e.data));
    r.log.appliedTo(e.index);
  }
  r.onApplied();
}

/** Fresh nodes that bootstrap their configuration into the log, as real ones do. */
function bootstrapped(n: number): Raft[] {
  const all = ids(n);
  return all.map((id) => newRaft(id, all, { storage: new MemoryStorage({ confState: { voters: all, learners: [] } }) }));
}

t.test('conf changes encode and decode', async (t) => {
  const cc: ConfChange = { type: ConfChangeType.PromoteLearner, node: 'nødé-7', context: new Uint8Array([1, 2, 3]) };
  t.same(decodeConfChange(encodeConfChange(cc)), cc);
  t.same(decodeConfChange(encodeConfChange({ type: ConfChangeType.RemoveNode, node: 'x' })), { type: ConfChangeType.RemoveNode, node: 'x' });
  t.throws(() => decodeConfChange(new Uint8Array([9, 9])), { name: 'ConfChangeDecodeError' });
});

t.test('a learner receives the log but neither votes in quorums nor campaigns', async (t) => {
  const voters = ids(2);
  const learner = newRaft('n3', voters, { storage: new MemoryStorage({ confState: { voters, learners: ['n3'] }, hardState: { term: 1, vote: '', commit: 0 } }) });
  const nt = new Network([newRaft('n1', voters, { learners: ['n3'] }), newRaft('n2', voters, { learners: ['n3'] }), learner]);
  nt.send(hup('n1'));
  nt.cut('n1', 'n2');
  nt.send(msg({ type: MessageType.Prop, from: 'n1', to: 'n1', entries: [{ term: 0, index: 0, type: 0, data: new Uint8Array([1]) }] }));
  const lead = nt.peer('n1');
  t.equal(learner.log.lastIndex(), lead.log.lastIndex(), 'the learner has the entry');
  t.ok(lead.log.committed < lead.log.lastIndex(), 'but its copy does not count for commit');
  for (let i = 0; i < 50; i++) learner.tick();
  t.equal(learner.role, Role.Follower, 'a learner never campaigns');
});

t.test('add a learner, promote it, and it counts as a voter', async (t) => {
  const three = ids(3);
  const nt = new Network([...bootstrapped(3), newRaft('n4', [], { storage: new MemoryStorage() })]);
  applyAll(nt); // the bootstrap entries: a node campaigns only once they are applied
  nt.send(hup('n1'));
  applyAll(nt);
  nt.send(ccProp('n1', { type: ConfChangeType.AddLearner, node: 'n4' }));
  applyAll(nt);
  t.same(nt.peer('n1').confState(), { voters: three, learners: ['n4'] });
  nt.send(ccProp('n1', { type: ConfChangeType.PromoteLearner, node: 'n4' }));
  applyAll(nt);
  t.same(nt.peer('n1').confState(), { voters: ids(4), learners: [] });
  t.same(nt.peer('n4').confState(), { voters: ids(4), learners: [] }, 'the new node learned the configuration from the log');
  nt.cut('n1', 'n2');
  nt.cut('n1', 'n3');
  nt.send(msg({ type: MessageType.Prop, from: 'n1', to: 'n1', entries: [{ term: 0, index: 0, type: 0, data: new Uint8Array([1]) }] }));
  const lead = nt.peer('n1');
  t.ok(lead.log.committed < lead.log.lastIndex(), 'n1 + n4 are not a majority of four');
});

t.test('a second conf change is refused until the first is applied', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  applyAll(nt);
  nt.send(ccProp('n1', { type: ConfChangeType.AddLearner, node: 'n4' }));
  t.throws(() => nt.peer('n1').step(ccProp('n1', { type: ConfChangeType.AddLearner, node: 'n5' })), { name: 'ConfChangeInProgressError' });
  applyAll(nt);
  nt.peer('n1').step(ccProp('n1', { type: ConfChangeType.AddLearner, node: 'n5' }));
  t.pass('accepted once the first is applied');
});

t.test('a new leader refuses conf changes until everything it inherited is applied', async (t) => {
  // Its log holds an uncommitted conf change from an earlier term.
  const storage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 2, vote: '', commit: 0 } });
  storage.append([{ term: 2, index: 1, type: EntryType.ConfChange, data: encodeConfChange({ type: ConfChangeType.AddLearner, node: 'n4' }) }]);
  const r = newRaft('n1', ids(3), { storage });
  r.becomeCandidate();
  r.becomeLeader();
  t.throws(() => r.step(ccProp('n1', { type: ConfChangeType.AddLearner, node: 'n5' })), { name: 'ConfChangeInProgressError' });
  for (const id of ['n2', 'n3']) r.step(msg({ type: MessageType.AppResp, from: id, to: 'n1', term: r.term, index: r.log.lastIndex() }));
  applyCommitted(r);
  r.step(ccProp('n1', { type: ConfChangeType.AddLearner, node: 'n5' }));
  t.pass('accepted once the inherited entries are applied');
});

t.test('removing the leader makes it step down and hand over', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  applyAll(nt);
  nt.send(ccProp('n1', { type: ConfChangeType.RemoveNode, node: 'n1' }));
  const lead = nt.peer('n1');
  applyCommitted(lead);
  t.equal(lead.role, Role.Follower, 'the removed leader stepped down');
  t.same(lead.confState().voters, ['n2', 'n3']);
  nt.flush(); // the others learn the commit index and n2 gets TimeoutNow
  applyAll(nt); // ...which it honours once it has applied the removal
  nt.flush();
  const next = ['n2', 'n3'].find((id) => nt.peer(id).role === Role.Leader);
  t.ok(next, 'a remaining voter took over at once (TimeoutNow)');
  for (let i = 0; i < 100; i++) lead.tick();
  t.equal(lead.role, Role.Follower, 'a removed node never campaigns');
});

t.test('removing a follower shrinks the quorum', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  applyAll(nt);
  nt.send(ccProp('n1', { type: ConfChangeType.RemoveNode, node: 'n3' }));
  applyAll(nt);
  nt.isolate('n3');
  nt.send(msg({ type: MessageType.Prop, from: 'n1', to: 'n1', entries: [{ term: 0, index: 0, type: 0, data: new Uint8Array([7]) }] }));
  const lead = nt.peer('n1');
  t.equal(lead.log.committed, lead.log.lastIndex(), 'n1 + n2 are a majority of two');
  t.notOk(lead.progress.has('n3'));
  readMessages(lead);
});

t.test('a node does not campaign while committed conf changes are unapplied', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  applyAll(nt);
  nt.send(ccProp('n1', { type: ConfChangeType.AddLearner, node: 'n4' }));
  nt.tick(1); // n2 learns the commit index
  const f = nt.peer('n2');
  t.ok(f.log.committed > f.log.applied);
  f.hup(false);
  t.equal(f.role, Role.Follower);
  applyCommitted(f);
  f.hup(false);
  t.equal(f.role, Role.Candidate);
});
