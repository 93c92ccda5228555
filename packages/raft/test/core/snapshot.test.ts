// Snapshots, compaction and InstallSnapshot.
import t from 'tap';
import { MessageType, Role } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { ProgressState } from '../../src/core/progress.js';
import { hup, ids, msg, Network, newRaft, prop, readMessages, synced } from './network.js';

const enc = new TextEncoder();

/** Persists what the node holds in memory (the driver's job) and compacts up to `upTo`. */
function persistAndCompact(r: ReturnType<typeof newRaft>, storage: MemoryStorage, upTo: number): void {
  storage.append(r.log.unstableEntries());
  r.log.unstable.stableTo(r.log.lastIndex(), r.log.lastTerm());
  storage.setHardState(r.hardState());
  storage.createSnapshot(upTo, r.confState(), enc.encode(`state@${upTo}`));
  storage.compact(upTo);
}

t.test('a follower behind the compacted log gets a snapshot and catches up', async (t) => {
  const storage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 1, vote: '', commit: 0 } });
  const lead = newRaft('n1', ids(3), { storage });
  const nt = new Network([lead, newRaft('n2', ids(3)), newRaft('n3', ids(3))]);
  nt.send(hup('n1'));
  nt.isolate('n3');
  for (let i = 0; i < 5; i++) nt.send(prop('n1', `e${i}`));
  persistAndCompact(lead, storage, lead.log.committed);
  lead.log.appliedTo(lead.log.committed);
  t.ok(lead.log.firstIndex() > nt.peer('n3').log.lastIndex() + 1, 'n3 needs compacted entries');
  nt.recover();
  lead.progress.get('n3')!.recentActive = true;
  nt.send(prop('n1', 'after'));
  const snaps = nt.delivered.filter((m) => m.type === MessageType.Snap);
  t.equal(snaps.length, 1, 'one snapshot sent');
  t.equal(snaps[0]!.snapshot!.metadata.index, storage.snapshot().metadata.index);
  const f = nt.peer('n3');
  t.equal(f.log.unstable.snapshot?.metadata.index, storage.snapshot().metadata.index, 'the follower holds the snapshot to install');
  t.ok(lead.progress.get('n3')!.match >= storage.snapshot().metadata.index, 'its answer moves match past the snapshot');
  lead.step(msg({ type: MessageType.SnapStatus, from: 'n3', to: 'n1', reject: false }));
  nt.tick(1);
  nt.send(prop('n1', 'more'));
  t.equal(f.log.lastIndex(), lead.log.lastIndex(), 'caught up after the snapshot');
  t.equal(lead.progress.get('n3')!.state, ProgressState.Replicate);
});

t.test('a failed snapshot sends the follower back to probing', async (t) => {
  const storage = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 1, vote: '', commit: 0 } });
  const lead = newRaft('n1', ids(3), { storage });
  lead.becomeCandidate();
  lead.becomeLeader();
  synced(lead);
  lead.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: lead.term, index: lead.log.lastIndex() }));
  persistAndCompact(lead, storage, lead.log.committed);
  const pr = lead.progress.get('n3')!;
  pr.recentActive = true;
  pr.becomeProbe();
  pr.next = 1;
  lead.maybeSendAppend('n3', true);
  t.equal(pr.state, ProgressState.Snapshot);
  lead.step(msg({ type: MessageType.SnapStatus, from: 'n3', to: 'n1', reject: true }));
  t.equal(pr.state, ProgressState.Probe);
  t.equal(pr.pendingSnapshot, 0);
});

t.test('a follower ignores a snapshot older than its commit index', async (t) => {
  const r = newRaft('n2', ids(3));
  r.becomeFollower(2, 'n1');
  r.step(msg({ type: MessageType.App, from: 'n1', to: 'n2', term: 2, entries: [1, 2, 3].map((i) => ({ term: 2, index: i, type: 0, data: new Uint8Array() })), commit: 3 }));
  readMessages(r);
  r.step(msg({ type: MessageType.Snap, from: 'n1', to: 'n2', term: 2, snapshot: { metadata: { index: 2, term: 2, conf: { voters: ids(3), learners: [] } }, data: new Uint8Array() } }));
  t.equal(r.log.unstable.snapshot, undefined);
  const resp = readMessages(r)[0]!;
  t.equal(resp.type, MessageType.AppResp);
  t.equal(resp.index, 3, 'answers with its commit index');
});

t.test('restoring a snapshot adopts its configuration', async (t) => {
  const r = newRaft('n4', [], { storage: new MemoryStorage() });
  r.step(msg({ type: MessageType.Snap, from: 'n1', to: 'n4', term: 3, snapshot: { metadata: { index: 10, term: 3, conf: { voters: ids(3), learners: ['n4'] } }, data: new Uint8Array() } }));
  t.equal(r.log.committed, 10);
  t.same(r.confState(), { voters: ids(3), learners: ['n4'] });
  t.equal(r.role, Role.Follower);
  t.equal(r.lead, 'n1');
});
