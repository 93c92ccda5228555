// Workloads on a real three-node cluster with real Docker: spreading,
// rolling updates that keep capacity, and healing after a node is lost.
import t from 'tap';
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import type { Deployment, Pod } from '@shoal/api';
import { PrivateCluster as TestCluster } from '../../scripts/lib/private-cluster.js';
import { sleeperDeployment } from './helpers/workloads.js';

const docker = new Docker();

function spread(pods: Pod[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const p of pods) by[p.spec?.nodeName ?? '-'] = (by[p.spec?.nodeName ?? '-'] ?? 0) + 1;
  return by;
}

t.test('a 6-replica Deployment spreads 2-2-2, rolls with maxUnavailable 0 and heals after a worker dies', async (t) => {
  // Frequent snapshots (every 100 entries, whatever the state's size), so the node that returns at the end has fallen behind a compaction.
  const tc = new TestCluster({ timing: { snapshotEntries: 100, snapshotLogPercent: 0, snapshotCatchUpEntries: 10 } });
  t.teardown(() => tc.close());
  await tc.start();
  const c = tc.client();

  await c.apply(sleeperDeployment('web', 6, { maxUnavailable: 0, maxSurge: 1 }));
  const pods = await tc.until('6 ready pods', async () => {
    const ps = (await tc.pods('app=web', c)).filter(TestCluster.ready);
    return ps.length === 6 ? ps : undefined;
  }, 120_000);
  t.same(Object.values(spread(pods)).sort(), [2, 2, 2], `spread ${JSON.stringify(spread(pods))}`);

  // Rolling update with maxUnavailable 0: never fewer than 6 ready.
  let minReady = 6;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const ps = await tc.pods('app=web', c).catch(() => undefined);
      if (ps) minReady = Math.min(minReady, ps.filter(TestCluster.ready).length);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await c.apply(sleeperDeployment('web', 6, { maxUnavailable: 0, maxSurge: 1, version: 'v2' }));
  await tc.until('the rollout to finish', async () => {
    const d = await c.get<Deployment>('Deployment', 'web');
    const ps = await tc.pods('app=web', c);
    const v2 = ps.filter((p) => TestCluster.ready(p) && p.spec?.containers[0]?.env?.[0]?.value === 'v2');
    return d.status?.updatedReplicas === 6 && v2.length === 6 && ps.length === 6 ? true : undefined;
  }, 240_000);
  sampling = false;
  await sampler;
  t.equal(minReady, 6, 'never fewer than 6 ready pods during the rolling update');

  // Lose a worker that is not the leader: daemon SIGKILLed and its containers killed.
  const leader = await tc.leader();
  const victim = tc.names.find((n) => n !== leader)!;
  const killedLog = (await tc.client([victim]).raftStatus()).applied_index;
  const killedAt = Date.now();
  tc.cluster.kill(victim);
  const theirs = await docker.listContainers({ filters: { label: [`io.shoal.owner-node=${victim}`] } });
  await Promise.all(theirs.map((x) => docker.getContainer(x.Id).kill().catch(() => undefined)));
  const survivors = tc.names.filter((n) => n !== victim);
  const sc = tc.client(survivors);
  const healed = await tc.until('6 ready pods on the survivors', async () => {
    const ps = (await tc.pods('app=web', sc)).filter((p) => TestCluster.ready(p) && p.spec?.nodeName !== victim);
    return ps.length === 6 ? ps : undefined;
  }, 120_000);
  t.comment(`worker loss to 6 ready again: ${Date.now() - killedAt} ms (goal: 5 s on the local profile)`);
  t.ok(healed.every((p) => survivors.includes(p.spec!.nodeName!)), 'every pod runs on a survivor');
  t.same(Object.values(spread(healed)).sort(), [3, 3], `spread after healing ${JSON.stringify(spread(healed))}`);

  // While it is away the log moves on past a compaction, so it must catch up by snapshot.
  for (let i = 0; i < 150; i++) await sc.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `while-away-${i}`, namespace: 'default' }, data: { i: String(i) } });

  // The lost node comes back: it rejoins and removes the containers of pods replaced meanwhile.
  tc.cluster.start(victim);
  await tc.cluster.waitListening(victim);
  await tc.until('the returning node to remove its stale containers', async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`io.shoal.owner-node=${victim}`] } });
    return left.length === 0 ? true : undefined;
  }, 60_000);
  t.pass('stale containers removed');
  const st = await tc.until('the returning node to catch up', async () => {
    const s = await tc.client([victim]).raftStatus();
    const l = await sc.raftStatus();
    return s.applied_index >= l.commit_index - 5 && s.leader_id ? s : undefined;
  }, 60_000);
  t.ok(st.leader_id, `rejoined, following ${st.leader_id}`);
  const installed = readFileSync(tc.logTail(victim), 'utf8').split('\n').filter((l) => l.includes('"installed snapshot"'));
  t.ok(installed.length > 0, `caught up by a snapshot from the leader (it had applied ${killedLog} when killed; now at ${st.applied_index})`);
});

t.test('a full cluster restart keeps every object and adopts every container', async (t) => {
  const tc = new TestCluster();
  t.teardown(() => tc.close());
  await tc.start();
  const c = tc.client();
  await c.apply(sleeperDeployment('keep', 3));
  const before = await tc.until('3 ready pods', async () => {
    const ps = (await tc.pods('app=keep', c)).filter(TestCluster.ready);
    return ps.length === 3 ? ps : undefined;
  }, 120_000);
  const owners = tc.names.map((n) => `io.shoal.owner-node=${n}`);
  const ids = async () => (await Promise.all(owners.map((l) => docker.listContainers({ filters: { label: [l] } })))).flat().map((x) => x.Id).sort();
  const containersBefore = await ids();
  t.ok(containersBefore.length >= 6, `${containersBefore.length} containers running (sandboxes and apps)`);

  await Promise.all(tc.names.map((n) => tc.cluster.stop(n)));
  for (const n of tc.names) tc.cluster.start(n);
  for (const n of tc.names) await tc.cluster.waitListening(n);
  await tc.leader();

  const after = await tc.until('the pods to be reported again', async () => {
    const ps = await tc.pods('app=keep', c);
    return ps.length === 3 && ps.every(TestCluster.ready) ? ps : undefined;
  }, 120_000);
  t.same(after.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort(), 'the same pod objects');
  t.same(after.map((p) => p.status?.containerStatuses?.[0]?.restartCount), [0, 0, 0], 'no container restarted');
  t.same(await ids(), containersBefore, 'the same containers, adopted');
});
