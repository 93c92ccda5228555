// StatefulSets, Jobs and DaemonSets on a real cluster with real Docker.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import type { DaemonSet, Job, PersistentVolumeClaim, Pod, StatefulSet } from '@shoal/api';
import { PrivateCluster } from '../../scripts/lib/private-cluster.js';

const sleeper = 'trap "exit 0" TERM; while true; do sleep 1; done';

t.test('StatefulSet: each ordinal finds its own volume after delete and recreate; scale down from the top', async (t) => {
  const pc = new PrivateCluster();
  const name = `st${process.pid % 1000}`;
  t.teardown(() => pc.close()); // removes the claims' volumes too
  await pc.start();
  const c = pc.client();
  const sts: StatefulSet = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      replicas: 3, serviceName: name, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'db', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', `hostname >> /data/boots; ${sleeper}`], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } }],
    },
  };
  const allReady = (n: number) => pc.until(`${n} ready ordinals`, async () => {
    const ps = (await pc.pods(`app=${name}`, c)).filter(PrivateCluster.ready);
    return ps.length === n ? ps : undefined;
  }, 120_000);

  await c.apply(sts);
  const first = await allReady(3);
  t.same(first.map((p) => p.metadata.name).sort(), [0, 1, 2].map((i) => `${name}-${i}`), 'pods named by ordinal');

  await c.delete('StatefulSet', name);
  await pc.until('the pods to go', async () => ((await pc.pods(`app=${name}`, c)).length === 0 ? true : undefined), 60_000);
  await c.apply(sts);
  await allReady(3);
  for (let i = 0; i < 3; i++) {
    const boots = (await c.exec(`${name}-${i}`, ['cat', '/data/boots'], { timeoutMs: 30_000 })).stdout.toString().trim().split('\n');
    t.same(boots, [`${name}-${i}`, `${name}-${i}`], `${name}-${i} finds its own data from before (${boots.join(', ')})`);
  }

  // Scale down to 1: ordinal 2 goes before ordinal 1.
  const gone: string[] = [];
  const abort = new AbortController();
  const rev = (await c.list('Pod', { namespace: 'default' })).revision;
  const watching = (async () => {
    for await (const e of c.watch<Pod>('Pod', { namespace: 'default', labelSelector: `app=${name}`, resourceVersion: rev, signal: abort.signal })) {
      if (e.type === 'DELETED') gone.push(e.object!.metadata.name);
    }
  })().catch(() => undefined);
  // The controller writes the StatefulSet's status meanwhile: read, change, write again on a conflict.
  await c.modify<StatefulSet>('StatefulSet', name, (cur) => ({ ...cur, spec: { ...cur.spec!, replicas: 1 } }));
  await pc.until('two ordinals removed', async () => (gone.length >= 2 ? true : undefined), 60_000);
  abort.abort();
  await watching;
  t.same(gone.slice(0, 2), [`${name}-2`, `${name}-1`], 'scale down removes the highest ordinal first');
});

t.test('StatefulSet claims: Bound on their node; whenScaled and whenDeleted Delete remove claims and their Docker volumes', async (t) => {
  const pc = new PrivateCluster();
  const name = `rt${process.pid % 1000}`;
  t.teardown(() => pc.close());
  await pc.start();
  const c = pc.client();
  const sts: StatefulSet = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      replicas: 3, serviceName: name, podManagementPolicy: 'Parallel', selector: { matchLabels: { app: name } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'db', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', `hostname > /data/me; ${sleeper}`], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '16Mi' } } } }],
    },
  };
  const claims = async (): Promise<PersistentVolumeClaim[]> => (await c.list<PersistentVolumeClaim>('PersistentVolumeClaim', { namespace: 'default' })).items.filter((x) => x.metadata.name.startsWith(`data-${name}-`));
  /** Docker volumes holding the claim of this uid (on whichever node of the cluster). */
  const volumesOf = (uid: string): string[] => execFileSync('docker', ['volume', 'ls', '-q', '--filter', `label=io.shoal.claim-uid=${uid}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

  await c.apply(sts);
  await pc.until('3 ready ordinals', async () => ((await pc.pods(`app=${name}`, c)).filter(PrivateCluster.ready).length === 3 ? true : undefined), 120_000);
  const made = await pc.until('3 bound claims', async () => {
    const cs = await claims();
    return cs.length === 3 && cs.every((x) => x.status?.phase === 'Bound') ? cs : undefined;
  }, 30_000);
  const pods = await pc.pods(`app=${name}`, c);
  for (const claim of made) {
    const pod = pods.find((p) => `data-${p.metadata.name}` === claim.metadata.name);
    t.equal(claim.metadata.annotations?.['volume.kubernetes.io/selected-node'], pod?.spec?.nodeName, `${claim.metadata.name} is on its pod's node`);
    t.equal(volumesOf(claim.metadata.uid!).length, 1, `${claim.metadata.name} has one Docker volume`);
  }
  const byOrdinal = (i: number) => made.find((x) => x.metadata.name === `data-${name}-${i}`)!;

  // Scale down to 1: the claims of ordinals 1 and 2 go, and their volumes with them.
  // The controller writes the StatefulSet's status meanwhile: read, change, write again on a conflict.
  await c.modify<StatefulSet>('StatefulSet', name, (cur) => ({ ...cur, spec: { ...cur.spec!, replicas: 1 } }));
  await pc.until('the claims of ordinals 1 and 2 to go', async () => ((await claims()).map((x) => x.metadata.name).join() === `data-${name}-0` ? true : undefined), 60_000);
  await pc.until('their Docker volumes to go', async () => (volumesOf(byOrdinal(1).metadata.uid!).length + volumesOf(byOrdinal(2).metadata.uid!).length === 0 ? true : undefined), 30_000);
  t.equal(volumesOf(byOrdinal(0).metadata.uid!).length, 1, 'ordinal 0 keeps its volume');
  t.equal((await c.exec(`${name}-0`, ['cat', '/data/me'], { timeoutMs: 30_000 })).stdout.toString().trim(), `${name}-0`, 'and its data');

  // Delete the set: its last claim goes with it (garbage collection), then the volume.
  await c.delete('StatefulSet', name);
  await pc.until('the last claim to go', async () => ((await claims()).length === 0 ? true : undefined), 60_000);
  await pc.until('its volume to go', async () => (volumesOf(byOrdinal(0).metadata.uid!).length === 0 ? true : undefined), 30_000);
  t.pass('no claim and no volume left');
});

t.test('Indexed Job: 5 completions, 2 at a time, every index done once', async (t) => {
  const pc = new PrivateCluster();
  t.teardown(() => pc.close());
  await pc.start();
  const c = pc.client();
  const job: Job = {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'idx' },
    spec: {
      completions: 5, parallelism: 2, completionMode: 'Indexed', backoffLimit: 2,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'echo "index $JOB_COMPLETION_INDEX"; sleep 1'] }] } },
    },
  };
  let maxActive = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const ps = await c.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=idx' }).catch(() => undefined);
      if (ps) maxActive = Math.max(maxActive, ps.items.filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending').length);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await c.apply(job);
  const done = await pc.until('the job to complete', async () => {
    const j = await c.get<Job>('Job', 'idx');
    return j.status?.conditions?.some((x) => x.type === 'Complete' && x.status === 'True') ? j : undefined;
  }, 180_000);
  sampling = false;
  await sampler;
  t.equal(done.status?.succeeded, 5, '5 succeeded');
  t.equal(done.status?.completedIndexes, '0-4', 'every index completed');
  t.ok(maxActive <= 2, `at most 2 pods at once (saw ${maxActive})`);
  const pods = (await c.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=idx' })).items.filter((p) => p.status?.phase === 'Succeeded');
  const indexes = pods.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).sort();
  t.same(indexes, ['0', '1', '2', '3', '4'], 'one succeeded pod per index');
  const outputs = new Set<string>();
  for (const p of pods) {
    let out = '';
    for await (const chunk of c.logs(p.metadata.name)) out += chunk.data.toString();
    outputs.add(out.trim());
  }
  t.same([...outputs].sort(), [0, 1, 2, 3, 4].map((i) => `index ${i}`), 'each pod saw its index in JOB_COMPLETION_INDEX');

  // Counted pods carry no tracking finalizer; the count outlives them.
  t.same(pods.flatMap((p) => p.metadata.finalizers ?? []), [], 'every finished pod was counted (no job-tracking finalizer left)');
  await c.delete('Pod', pods[0]!.metadata.name);
  await pc.until('the deleted pod to go', async () => ((await c.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=idx' })).items.length === pods.length - 1 ? true : undefined), 30_000);
  const after = await c.get<Job>('Job', 'idx');
  t.match(after.status, { succeeded: 5, completedIndexes: '0-4' }, 'the Job still counts 5 after a pod of it is deleted');
  await c.delete('Job', 'idx');
  await pc.until('the job\'s pods to go with it', async () => ((await c.list<Pod>('Pod', { namespace: 'default', labelSelector: 'job-name=idx' })).items.length === 0 ? true : undefined), 30_000);
});

t.test('DaemonSet: one pod per node, following a node that joins and one that is killed', async (t) => {
  const pc = new PrivateCluster({ nodes: 4, targetVoters: 3 });
  t.teardown(() => pc.close());
  const [n1, n2, n3, n4] = pc.names as [string, string, string, string];
  await pc.start([n1, n2, n3]);
  const c = pc.client([n1, n2, n3]);
  const ds: DaemonSet = {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'a', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', sleeper] }] } },
    },
  };
  await c.apply(ds);
  const on = async () => (await pc.pods('app=agent', c)).filter(PrivateCluster.ready).map((p) => p.spec!.nodeName!).sort();
  const three = await pc.until('a daemon pod on each of 3 nodes', async () => { const x = await on(); return x.length === 3 ? x : undefined; }, 90_000);
  t.same(three, [n1, n2, n3].sort(), 'one pod on every node');

  pc.cluster.start(n4);
  await pc.cluster.waitListening(n4);
  const four = await pc.until('a pod on the node that joined', async () => { const x = await on(); return x.includes(n4) && x.length === 4 ? x : undefined; }, 90_000);
  t.same(four, [n1, n2, n3, n4].sort(), 'the joining node gets one');

  const leader = await pc.leader();
  const victim = [n1, n2, n3, n4].find((n) => n !== leader && n !== n4)!;
  pc.cluster.kill(victim);
  const after = await pc.until('the killed node to lose its daemon pod', async () => {
    const ps = await pc.pods('app=agent', pc.client(pc.names.filter((n) => n !== victim)));
    return ps.every((p) => p.spec?.nodeName !== victim) ? ps : undefined;
  }, 90_000);
  t.notOk(after.some((p) => p.spec?.nodeName === victim), 'no daemon pod left on the dead node');
  t.equal(after.filter((p) => PrivateCluster.ready(p)).length, 3, 'the three live nodes keep theirs');
});
