// ReadIndex: linearizable reads confirmed by a heartbeat quorum.
import t from 'tap';
import { MessageType, Role } from '../../src/types.js';
import { hup, ids, msg, Network, newRaft, prop, readMessages } from './network.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
function readReq(from: string, to: string, id: string) {
  return msg({ type: MessageType.ReadIndex, from, to, context: enc.encode(id) });
}

t.test('a leader answers a read once a quorum acknowledges a heartbeat', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.send(prop('n1', 'x'));
  const lead = nt.peer('n1');
  nt.send(readReq('n1', 'n1', 'r1'));
  t.equal(lead.readStates.length, 1);
  t.equal(lead.readStates[0]!.index, lead.log.committed);
  t.equal(dec.decode(lead.readStates[0]!.requestId), 'r1');
});

t.test('a leader cut off from the quorum does not answer reads', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.isolate('n1');
  nt.send(readReq('n1', 'n1', 'r1'));
  t.equal(nt.peer('n1').readStates.length, 0);
  nt.recover();
  nt.tick(1); // the next heartbeat carries the pending request
  t.equal(nt.peer('n1').readStates.length, 1);
});

t.test('a follower asks the leader and gets the read index back', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.send(prop('n1', 'x'));
  nt.send(readReq('n2', 'n2', 'f1'));
  const f = nt.peer('n2');
  t.equal(f.readStates.length, 1);
  t.equal(f.readStates[0]!.index, nt.peer('n1').log.committed);
  t.equal(dec.decode(f.readStates[0]!.requestId), 'f1');
});

t.test('a new leader holds reads until it commits an entry of its term', async (t) => {
  const r = newRaft('n1', ids(3));
  r.becomeCandidate();
  r.becomeLeader();
  readMessages(r);
  r.step(readReq('n1', 'n1', 'early'));
  t.same(readMessages(r).filter((m) => m.type === MessageType.Heartbeat), [], 'no read heartbeat yet');
  t.equal(r.pendingReadIndexMessages.length, 1);
  const li = r.log.lastIndex();
  r.step(msg({ type: MessageType.AppResp, from: 'n2', to: 'n1', term: r.term, index: li }));
  t.equal(r.log.committed, li);
  const hbs = readMessages(r).filter((m) => m.type === MessageType.Heartbeat);
  t.ok(hbs.length > 0 && hbs.every((m) => dec.decode(m.context!) === 'early'), 'released after the first commit');
  r.step(msg({ type: MessageType.HeartbeatResp, from: 'n2', to: 'n1', term: r.term, context: enc.encode('early') }));
  t.equal(r.readStates.length, 1);
  t.equal(r.readStates[0]!.index, li);
});

t.test('a single-voter leader answers at once', async (t) => {
  const r = newRaft('n1', ['n1']);
  r.step(hup('n1'));
  t.equal(r.role, Role.Leader);
  r.step(readReq('n1', 'n1', 's'));
  t.equal(r.readStates.length, 1);
});

t.test('a follower with no leader refuses a local read', async (t) => {
  const r = newRaft('n2', ids(3));
  t.throws(() => r.step(readReq('n2', 'n2', 'x')), { name: 'ProposalDroppedError' });
});
