// Autopilot with real processes: a fourth node joins a three-voter cluster
// through gossip and becomes a learner; when a voter dies, after the grace
// the learner is promoted and the dead voter removed, one change at a time.
import t from 'tap';
import { PrivateCluster } from '../../scripts/lib/private-cluster.js';

t.test('a dead voter is replaced by a healthy learner after the grace', async (t) => {
  const pc = new PrivateCluster({ nodes: 4, targetVoters: 3, timing: { deadVoterGraceMs: 4_000 } });
  t.teardown(() => pc.close());
  await pc.start();
  const [n1, n2, n3, n4] = pc.names as [string, string, string, string];
  const c = pc.client();

  const conf = async () => {
    const s = await c.raftStatus();
    return { voters: [...s.voters].sort(), learners: [...s.learners].sort() };
  };
  const joined = await pc.until('the fourth node to become a learner', async () => {
    const x = await conf();
    return x.learners.includes(n4) ? x : undefined;
  }, 60_000);
  t.same(joined, { voters: [n1, n2, n3].sort(), learners: [n4] }, 'three voters and a learner');

  const leader = await pc.leader();
  const victim = [n1, n2, n3].find((n) => n !== leader)!;
  const killedAt = Date.now();
  pc.cluster.kill(victim);
  const survivors = pc.names.filter((n) => n !== victim);
  const sc = pc.client(survivors);
  const after = await pc.until('the learner to replace the dead voter', async () => {
    const s = await sc.raftStatus();
    const x = { voters: [...s.voters].sort(), learners: [...s.learners].sort() };
    return x.voters.includes(n4) && !x.voters.includes(victim) && !x.learners.includes(victim) ? x : undefined;
  }, 60_000);
  const took = Date.now() - killedAt;
  t.comment(`replaced after ${took} ms (grace 4000 ms)`);
  t.ok(took >= 4_000, 'not before the grace ran out');
  t.same(after.voters, survivors.sort(), 'the learner is a voter and the dead node is gone');

  // The cluster still writes with its new configuration.
  await sc.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-autopilot', namespace: 'default' }, data: { ok: 'yes' } });
  const members = await sc.members();
  t.ok(members.find((m) => m.id === victim && m.state === 'dead'), 'gossip reports the dead node');
  t.ok(members.find((m) => m.id === n4 && m.raft_role === 'voter'), 'members show the new voter');
});
