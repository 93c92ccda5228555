// Leadership transfer with TimeoutNow.
import t from 'tap';
import { MessageType, Role } from '../../src/types.js';
import { hup, msg, Network, prop } from './network.js';

function transfer(to: string, via: string) {
  return msg({ type: MessageType.TransferLeader, from: to, to: via });
}

t.test('leadership moves to an up-to-date follower at once', async (t) => {
  const nt = Network.of(3, { preVote: true, checkQuorum: true });
  nt.send(hup('n1'));
  nt.send(prop('n1', 'x'));
  nt.send(transfer('n2', 'n1'));
  t.equal(nt.peer('n2').role, Role.Leader, 'transferee leads (lease and pre-vote bypassed)');
  t.equal(nt.peer('n1').role, Role.Follower);
  t.ok(nt.delivered.some((m) => m.type === MessageType.TimeoutNow && m.to === 'n2'));
});

t.test('a lagging transferee is caught up first', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.isolate('n3');
  nt.send(prop('n1', 'a'));
  nt.send(prop('n1', 'b'));
  nt.recover();
  nt.send(transfer('n3', 'n1'));
  t.equal(nt.peer('n3').role, Role.Leader);
  t.equal(nt.peer('n3').log.lastIndex(), nt.peer('n1').log.lastIndex());
});

t.test('proposals are refused while a transfer is in progress', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.isolate('n3');
  nt.send(transfer('n3', 'n1'));
  t.equal(nt.peer('n1').leadTransferee, 'n3');
  t.throws(() => nt.peer('n1').step(prop('n1', 'x')), { name: 'ProposalDroppedError' });
});

t.test('a transfer that does not finish within an election timeout is abandoned', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.isolate('n3');
  nt.send(transfer('n3', 'n1'));
  nt.tick(10);
  t.equal(nt.peer('n1').leadTransferee, '');
  t.equal(nt.peer('n1').role, Role.Leader);
  nt.send(prop('n1', 'x'));
  t.pass('proposals are accepted again');
});

t.test('a follower forwards a transfer request to the leader', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.send(transfer('n3', 'n2'));
  t.equal(nt.peer('n3').role, Role.Leader);
});

t.test('transfer to the leader itself, or to a learner, does nothing', async (t) => {
  const nt = Network.of(3);
  nt.send(hup('n1'));
  nt.send(transfer('n1', 'n1'));
  t.equal(nt.peer('n1').role, Role.Leader);
  t.equal(nt.peer('n1').leadTransferee, '');
});
