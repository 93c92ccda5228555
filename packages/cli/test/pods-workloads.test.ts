import t from 'tap';
import type { Deployment, KubeObject, ReplicaSet } from '@shoal/api';
import { shoal, startServer } from './helpers.js';

const twoContainers: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'main', image: 'i' }, { name: 'side', image: 'i' }] } };

t.test('logs: one container, --tail, -c; a pod with several containers needs -c', async (t) => {
  const server = await startServer(t);
  server.store.create(twoContainers);
  server.setLogs('default', 'p', 'main', 'one\ntwo\nthree\n');
  const tail = await shoal(server, ['logs', 'p', '-c', 'main', '--tail', '2']);
  t.equal(tail.code, 0, tail.stderr);
  t.equal(tail.stdout, 'two\nthree\n');
  const ambiguous = await shoal(server, ['logs', 'pod/p']);
  t.equal(ambiguous.code, 1);
  t.equal(ambiguous.stderr, 'Error from server (Invalid): container: pod p has 2 containers (main, side); choose one\n');
  const missing = await shoal(server, ['logs', 'p', '-c', 'nope']);
  t.match(missing.stderr, /^Error from server \(NotFound\): container "nope" not found/);
});

t.test('logs -f streams until the container stops', async (t) => {
  const server = await startServer(t);
  server.store.create(twoContainers);
  server.setLogs('default', 'p', 'main', 'first\n');
  const run = shoal(server, ['logs', 'p', '-c', 'main', '-f']);
  for (let i = 0; i < 200 && !server.calls.some((c) => c.method === 'Logs'); i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  server.appendLogs('default', 'p', 'main', 'second\n');
  await new Promise((r) => setTimeout(r, 50));
  server.endLogs('default', 'p', 'main');
  const res = await run;
  t.equal(res.stdout, 'first\nsecond\n');
});

t.test('exec prints the output and exits with the command\'s code', async (t) => {
  const server = await startServer(t, {
    exec: (req) => (req.command[0] === 'false' ? { stderr: 'failed\n', exitCode: 3 } : { stdout: `ran ${req.command.join(' ')} in ${req.container || 'default'}\n`, exitCode: 0 }),
  });
  server.store.create(twoContainers);
  const ok = await shoal(server, ['exec', 'p', '-c', 'side', '--', 'ls', '-l', '/']);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout, 'ran ls -l / in side\n');
  const bad = await shoal(server, ['exec', 'p', '-c', 'main', '--', 'false']);
  t.equal(bad.code, 3);
  t.equal(bad.stderr, 'failed\n');
  const none = await shoal(server, ['exec', 'p']);
  t.equal(none.code, 1);
  t.match(none.stderr, /give the command after --/);
});

function deployment(replicas = 3): Deployment {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } } as Deployment;
}

t.test('scale sets replicas (and honours --current-replicas)', async (t) => {
  const server = await startServer(t);
  server.store.create(deployment());
  const res = await shoal(server, ['scale', 'deployment/web', '--replicas', '6']);
  t.equal(res.stdout, 'deployment.apps/web scaled\n');
  t.equal((server.store.get('Deployment', 'default', 'web') as Deployment).spec?.replicas, 6);
  const guarded = await shoal(server, ['scale', 'deploy', 'web', '--replicas', '1', '--current-replicas', '3']);
  t.equal(guarded.code, 1);
  t.match(guarded.stderr, /expected 3 replicas but deployment web has 6/);
  const wrongKind = await shoal(server, ['scale', 'configmap/x', '--replicas', '1']);
  t.match(wrongKind.stderr, /configmaps cannot be scaled/);
});

t.test('rollout status follows the deployment until it is rolled out', async (t) => {
  const server = await startServer(t);
  const d = server.store.create(deployment(2));
  const setStatus = (status: object): void => {
    const cur = server.store.get('Deployment', 'default', 'web')!;
    server.store.update({ ...cur, status: { observedGeneration: d.metadata.generation, ...status } }, true);
  };
  setStatus({ replicas: 2, updatedReplicas: 1, availableReplicas: 1 });
  const run = shoal(server, ['rollout', 'status', 'deployment/web']);
  for (let i = 0; i < 200 && !server.calls.some((c) => c.method === 'Watch'); i++) await new Promise((r) => setTimeout(r, 10));
  setStatus({ replicas: 3, updatedReplicas: 2, availableReplicas: 1 });
  setStatus({ replicas: 2, updatedReplicas: 2, availableReplicas: 1 });
  setStatus({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
  const res = await run;
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, [
    'Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...',
    'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
    'deployment "web" successfully rolled out',
    '',
  ].join('\n'));
});

t.test('rollout status fails when the progress deadline is exceeded', async (t) => {
  const server = await startServer(t);
  const d = server.store.create(deployment(1));
  server.store.update({ ...d, status: { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } }, true);
  const res = await shoal(server, ['rollout', 'status', 'deploy/web']);
  t.equal(res.code, 1);
  t.equal(res.stderr, 'error: deployment "web" exceeded its progress deadline\n');
});

t.test('rollout history, undo, pause, resume, restart', async (t) => {
  const server = await startServer(t);
  const d = server.store.create(deployment()) as Deployment;
  const rs = (rev: number, image: string): ReplicaSet => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${rev}`,
      namespace: 'default',
      annotations: { 'deployment.kubernetes.io/revision': String(rev), ...(rev === 2 ? { 'kubernetes.io/change-cause': 'image nginx:2' } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid!, controller: true }],
    },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': `h${rev}` } }, spec: { containers: [{ name: 'web', image }] } } },
  } as ReplicaSet);
  server.store.create(rs(1, 'nginx:1'));
  server.store.create(rs(2, 'nginx:2'));

  const history = await shoal(server, ['rollout', 'history', 'deployment/web']);
  t.equal(history.stdout, 'deployment.apps/web\nREVISION   CHANGE-CAUSE\n1          <none>\n2          image nginx:2\n');

  const undo = await shoal(server, ['rollout', 'undo', 'deployment/web']);
  t.equal(undo.code, 0, undo.stderr);
  t.equal(undo.stdout, 'deployment.apps/web rolled back\n');
  const after = server.store.get('Deployment', 'default', 'web') as Deployment;
  t.equal(after.spec?.template.spec.containers[0]?.image, 'nginx:1');
  t.same(after.spec?.template.metadata?.labels, { app: 'web' }, 'no pod-template-hash label');

  const noRev = await shoal(server, ['rollout', 'undo', 'deployment/web', '--to-revision', '9']);
  t.equal(noRev.code, 1);
  t.match(noRev.stderr, /no revision 9/);

  t.equal((await shoal(server, ['rollout', 'pause', 'deployment/web'])).stdout, 'deployment.apps/web paused\n');
  t.equal((server.store.get('Deployment', 'default', 'web') as Deployment).spec?.paused, true);
  const twice = await shoal(server, ['rollout', 'pause', 'deployment/web']);
  t.equal(twice.code, 1);
  t.match(twice.stderr, /already paused/);
  t.equal((await shoal(server, ['rollout', 'resume', 'deployment/web'])).stdout, 'deployment.apps/web resumed\n');

  const restart = await shoal(server, ['rollout', 'restart', 'deployment/web']);
  t.equal(restart.stdout, 'deployment.apps/web restarted\n');
  const restarted = server.store.get('Deployment', 'default', 'web') as Deployment;
  t.equal(restarted.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], '2026-01-01T12:00:00.000Z');
});

t.test('create job --from=cronjob/NAME makes a Job from the template, owned by the CronJob', async (t) => {
  const server = await startServer(t);
  const cj = server.store.create({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', jobTemplate: { metadata: { labels: { job: 'nightly' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } } });
  const res = await shoal(server, ['create', 'job', 'manual-1', '--from=cronjob/nightly']);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, 'job.batch/manual-1 created\n');
  const job = server.store.get('Job', 'default', 'manual-1')!;
  t.same(job.metadata.labels, { job: 'nightly' });
  t.equal(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
  t.equal(job.metadata.ownerReferences?.[0]?.uid, cj.metadata.uid);
  t.same((job.spec as { template: unknown }).template, { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
  const wrong = await shoal(server, ['create', 'job', 'x', '--from=deployment/web']);
  t.match(wrong.stderr, /--from must name a cronjob/);
});

t.test('rollout status with --timeout gives up with a clear error', async (t) => {
  const server = await startServer(t);
  const d = server.store.create(deployment(2));
  server.store.update({ ...d, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 1 } }, true);
  const res = await shoal(server, ['rollout', 'status', 'deployment/web', '--timeout', '300ms']);
  t.equal(res.code, 1);
  t.equal(res.stderr, 'error: timed out waiting for the rollout of deployment "web" (--timeout 300ms)\n');
});
