// Progress states, pipelining bounds, batching and proposal forwarding.
import t from 'tap';
import { MessageType, Role } from '../../src/types.js';
import { Inflights } from '../../src/core/inflights.js';
import { Progress, ProgressState } from '../../src/core/progress.js';
import { hup, ids, msg, Network, newRaft, prop, readMessages } from './network.js';

function leader(opts: Parameters<typeof newRaft>[2] = {}) {
  const r = newRaft('n1', ids(3), opts);
  r.becomeCandidate();
  r.becomeLeader();
  r.bcastAppend();
  for (const m of readMessages(r)) r.step(msg({ type: MessageType.AppResp, from: m.to, to: 'n1', term: r.term, index: m.index + m.entries.length }));
  readMessages(r);
  return r;
}

t.test('inflights: a ring bounded by count and bytes', async (t) => {
  const w = new Inflights(3, 100);
  w.add(1, 10);
  w.add(2, 10);
  t.notOk(w.full());
  w.add(3, 10);
  t.ok(w.full(), 'count bound');
  w.freeLE(2);
  t.equal(w.count, 1);
  w.add(4, 90);
  t.ok(w.full(), 'byte bound');
  w.freeFirstOne();
  t.equal(w.count, 1);
  w.freeLE(100);
  t.equal(w.count, 0);
  t.equal(w.bytes, 0);
});

t.test('progress: probe sends one at a time; replicate streams; snapshot pauses', async (t) => {
  const p = new Progress(5, 4, 0, false);
  t.equal(p.state, ProgressState.Probe);
  t.notOk(p.isPaused());
  p.sentEntries(1, 5, 10);
  t.ok(p.isPaused(), 'probe waits for an answer');
  t.ok(p.maybeUpdate(5));
  p.becomeReplicate();
  t.equal(p.next, 6);
  for (let i = 6; i < 10; i++) p.sentEntries(1, i, 10);
  t.ok(p.isPaused(), 'window full');
  t.equal(p.next, 10);
  t.notOk(p.maybeDecrTo(4, 0), 'stale rejection ignored');
  t.ok(p.maybeDecrTo(7, 3));
  t.equal(p.next, 6, 'replicate falls back to match + 1');
  p.becomeSnapshot(20);
  t.ok(p.isPaused());
  p.becomeProbe();
  t.equal(p.next, 21, 'after a snapshot, resume past it');
});

t.test('the pipeline is bounded by maxInflightMsgs', async (t) => {
  const r = leader({ maxInflightMsgs: 3, maxSizePerMsg: 1 });
  for (let i = 0; i < 10; i++) r.step(prop('n1', `p${i}`));
  const apps = readMessages(r).filter((m) => m.type === MessageType.App && m.to === 'n2');
  t.equal(apps.length, 3, 'three messages, then wait');
  r.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: apps[0]!.index + 1 }));
  const more = readMessages(r).filter((m) => m.type === MessageType.App && m.to === 'n2');
  t.equal(more.length, 1, 'one acknowledgement frees one slot');
});

t.test('the pipeline is bounded by maxInflightBytes', async (t) => {
  const r = leader({ maxInflightMsgs: 100, maxSizePerMsg: 100, maxInflightBytes: 250 });
  for (let i = 0; i < 10; i++) r.step(prop('n1', 'x'.repeat(90)));
  const apps = readMessages(r).filter((m) => m.type === MessageType.App && m.to === 'n2');
  t.ok(apps.length >= 2 && apps.length <= 3, `stopped by bytes after ${apps.length} messages`);
});

t.test('many proposals before a Ready share one append per follower', async (t) => {
  const r = leader();
  for (let i = 0; i < 100; i++) r.step(prop('n1', `p${i}`));
  const apps = readMessages(r).filter((m) => m.type === MessageType.App);
  t.equal(apps.length, 2, 'one message per follower');
  t.equal(apps[0]!.entries.length, 100);
});

t.test('maxSizePerMsg splits large batches', async (t) => {
  const r = leader({ maxSizePerMsg: 1000 });
  for (let i = 0; i < 20; i++) r.step(prop('n1', 'y'.repeat(200)));
  const apps = readMessages(r).filter((m) => m.type === MessageType.App && m.to === 'n2');
  t.ok(apps.length > 1);
  t.ok(apps.every((m) => m.entries.length >= 1 && m.entries.length <= 5));
  t.equal(apps.reduce((n, m) => n + m.entries.length, 0), 20);
});

t.test('an unreachable follower goes back to probing', async (t) => {
  const r = leader();
  t.equal(r.progress.get('n2')!.state, ProgressState.Replicate);
  r.step(msg({ type: MessageType.Unreachable, from: 'n2', to: 'n1' }));
  t.equal(r.progress.get('n2')!.state, ProgressState.Probe);
});

t.test('the uncommitted size limit drops proposals', async (t) => {
  const r = leader({ maxUncommittedEntriesSize: 100 });
  r.step(prop('n1', 'z'.repeat(60)));
  t.throws(() => r.step(prop('n1', 'z'.repeat(60))), { name: 'ProposalDroppedError' });
});

t.test('a follower forwards proposals to the leader', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  const before = nt.peer('n1').log.lastIndex();
  nt.send(prop('n2', 'forwarded'));
  t.equal(nt.peer('n1').log.lastIndex(), before + 1);
  t.equal(nt.peer('n2').log.committed, before + 1);
});

t.test('without a leader a proposal is refused with the leader unknown', async (t) => {
  const r = newRaft('n2', ids(3));
  t.throws(() => r.step(prop('n2', 'x')), { name: 'ProposalDroppedError', leader: '' });
  r.becomeCandidate();
  t.throws(() => r.step(prop('n2', 'x')), { name: 'ProposalDroppedError' });
  t.equal(r.role, Role.Candidate);
});
