// Edge cases at the lines that enforce safety.
import t from 'tap';
import { EntryType, MessageType } from '../../src/types.js';
import { MemoryStorage } from '../../src/core/memory-storage.js';
import { RawNode } from '../../src/core/raw-node.js';
import { SeededRand } from '../../src/sim/prng.js';
import { ids, msg, newRaft, prop, readMessages } from './network.js';

function leader() {
  const r = newRaft('n1', ids(3));
  r.becomeCandidate();
  r.becomeLeader();
  readMessages(r);
  return r;
}

t.test('heartbeats never carry a commit index past the follower match', async (t) => {
  const r = leader();
  const li = r.log.lastIndex();
  r.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: li }));
  t.equal(r.log.committed, li);
  readMessages(r);
  r.bcastHeartbeat(undefined);
  const hbs = readMessages(r).filter((m) => m.type === MessageType.Heartbeat);
  t.equal(hbs.find((m) => m.to === 'n2')!.commit, li, 'n2 holds everything');
  t.equal(hbs.find((m) => m.to === 'n3')!.commit, 0, 'n3 is not known to hold anything');
});

t.test('duplicate and stale append answers change nothing', async (t) => {
  const r = leader();
  for (let i = 0; i < 3; i++) r.step(prop('n1', `p${i}`));
  readMessages(r);
  const li = r.log.lastIndex();
  const ack = msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: li });
  r.step(ack);
  const pr = r.progress.get('n2')!;
  const before = { match: pr.match, next: pr.next, state: pr.state };
  r.step(ack);
  r.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: li - 2 }));
  r.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: li - 2, reject: true, rejectHint: 0 }));
  t.same({ match: pr.match, next: pr.next, state: pr.state }, before);
});

t.test('an answer from a node outside the configuration is ignored', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1'], learners: [] } });
  const n = new RawNode({ id: 'n1', storage: s, rand: new SeededRand(1), electionTick: 10, heartbeatTick: 1 });
  n.step(msg({ type: MessageType.AppResp, from: 'stranger', to: 'n1', term: 5, index: 100 }));
  t.equal(n.status().term, 1, 'not even its term is adopted');
});

t.test('maxCommittedSizePerReady splits application into several Readys', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ['n1'], learners: [] } });
  const n = new RawNode({ id: 'n1', storage: s, rand: new SeededRand(1), electionTick: 10, heartbeatTick: 1, maxCommittedSizePerReady: 300 });
  const drive = (): number[] => {
    const sizes: number[] = [];
    while (n.hasReady()) {
      const rd = n.ready();
      s.append(rd.entries);
      if (rd.hardState) s.setHardState(rd.hardState);
      sizes.push(rd.committedEntries.filter((e) => e.type === EntryType.Normal && e.data.length > 0).length);
      n.advance();
    }
    return sizes;
  };
  drive();
  n.campaign();
  drive();
  for (let i = 0; i < 10; i++) n.propose(new Uint8Array(100));
  const sizes = drive();
  t.ok(sizes.filter((x) => x > 0).length > 1, `applied in batches: ${sizes.join(',')}`);
  t.equal(sizes.reduce((a, b) => a + b, 0), 10);
});

t.test('a vote is never granted twice in a term, even after a restart from storage', async (t) => {
  const s = new MemoryStorage({ confState: { voters: ids(3), learners: [] }, hardState: { term: 5, vote: 'n2', commit: 0 } });
  const r = newRaft('n1', ids(3), { storage: s });
  r.step(msg({ type: MessageType.Vote, from: 'n3', to: 'n1', term: 5 }));
  const out = readMessages(r);
  t.equal(out[0]!.reject, true, 'the persisted vote for n2 holds');
  r.step(msg({ type: MessageType.Vote, from: 'n2', to: 'n1', term: 5 }));
  t.equal(readMessages(r)[0]!.reject, false, 'n2 may ask again');
});
