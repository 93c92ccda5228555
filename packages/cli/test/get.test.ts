import t from 'tap';
import type { KubeObject } from '@shoal/api';
import type { MemoryShoalServer } from '@shoal/client/testing';
import { shoal, startServer } from './helpers.js';

function pod(name: string, namespace = 'default', labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'busybox' }, { name: 'side', image: 'busybox' }] } };
}

function seedPods(server: MemoryShoalServer): void {
  const store = server.store;
  const a = store.create(pod('web-1', 'default', { app: 'web' }));
  store.update({
    ...a,
    spec: { ...(a.spec as object), nodeName: 'node-1' },
  });
  const a2 = store.get('Pod', 'default', 'web-1')!;
  store.update({
    ...a2,
    status: {
      phase: 'Running',
      podIP: '10.1.0.5',
      containerStatuses: [
        { name: 'app', ready: true, restartCount: 2, image: 'busybox', state: { running: {} } },
        { name: 'side', ready: false, restartCount: 1, image: 'busybox', state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    },
  }, true);
  store.create(pod('db-1', 'default', { app: 'db' }));
  store.create(pod('other', 'team'));
}

t.test('get pods prints a kubectl-style table', async (t) => {
  const server = await startServer(t);
  seedPods(server);
  const res = await shoal(server, ['get', 'pods']);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, [
    'NAME    READY   STATUS             RESTARTS   AGE',
    'db-1    0/2     Pending            0          60s',
    'web-1   1/2     CrashLoopBackOff   3          60s',
    '',
  ].join('\n'));
});

t.test('-o wide adds IP and NODE; -A adds NAMESPACE; -l filters; short names work', async (t) => {
  const server = await startServer(t);
  seedPods(server);
  const wide = await shoal(server, ['get', 'po', '-o', 'wide', '-l', 'app=web']);
  t.equal(wide.stdout, [
    'NAME    READY   STATUS             RESTARTS   AGE   IP         NODE',
    'web-1   1/2     CrashLoopBackOff   3          60s   10.1.0.5   node-1',
    '',
  ].join('\n'));
  const all = await shoal(server, ['get', 'pod', '-A', '--no-headers']);
  t.same(all.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2)), [['default', 'db-1'], ['default', 'web-1'], ['team', 'other']]);
  const team = await shoal(server, ['get', 'pods', '-n', 'team', '-o', 'name']);
  t.equal(team.stdout, 'pod/other\n');
});

t.test('-o json gives one object by name, a List otherwise; -o yaml parses back', async (t) => {
  const server = await startServer(t);
  seedPods(server);
  const one = JSON.parse((await shoal(server, ['get', 'pod', 'web-1', '-o', 'json'])).stdout) as KubeObject;
  t.equal(one.kind, 'Pod');
  t.equal(one.metadata.name, 'web-1');
  const list = JSON.parse((await shoal(server, ['get', 'pods', '-o', 'json'])).stdout) as { kind: string; items: KubeObject[] };
  t.equal(list.kind, 'List');
  t.equal(list.items.length, 2);
  const { parse } = await import('yaml');
  const y = parse((await shoal(server, ['get', 'pod/web-1', '-o', 'yaml'])).stdout) as KubeObject;
  t.equal(y.metadata.name, 'web-1');
});

t.test('deployments table: READY UP-TO-DATE AVAILABLE', async (t) => {
  const server = await startServer(t);
  const d = server.store.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } });
  server.store.update({ ...d, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }, true);
  const res = await shoal(server, ['get', 'deploy']);
  t.equal(res.stdout, 'NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    2/3     3            2           60s\n');
  const wide = await shoal(server, ['get', 'deployments.apps', '-o', 'wide']);
  t.match(wide.stdout, /CONTAINERS\s+IMAGES\s+SELECTOR\n.*web\s+nginx\s+app=web\n/);
});

t.test('nothing found, unknown kinds and missing objects', async (t) => {
  const server = await startServer(t);
  const empty = await shoal(server, ['get', 'pods']);
  t.equal(empty.code, 0);
  t.equal(empty.stderr, 'No resources found in default namespace.\n');
  const unknown = await shoal(server, ['get', 'gizmos']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /^error: the server doesn't have a resource type "gizmos"/);
  const missing = await shoal(server, ['get', 'pod', 'nope']);
  t.equal(missing.code, 1);
  t.equal(missing.stderr, 'Error from server (NotFound): Pod "nope" not found in namespace "default"\n');
  const badOutput = await shoal(server, ['get', 'pods', '-o', 'xml']);
  t.equal(badOutput.code, 1);
  t.match(badOutput.stderr, /unknown output format "xml"/);
});

t.test('get -w prints the list, then a row per change, until interrupted', async (t) => {
  const server = await startServer(t);
  server.store.create(pod('a'));
  const ac = new AbortController();
  const run = shoal(server, ['get', 'pods', '-w'], { signal: ac.signal });
  // Wait for the watch to open, then change things.
  for (let i = 0; i < 200 && !server.calls.some((c) => c.method === 'Watch'); i++) await new Promise((r) => setTimeout(r, 10));
  server.store.create(pod('b'));
  server.store.delete('Pod', 'default', 'a');
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  const res = await run;
  t.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
  t.same(lines, ['NAME', 'a', 'b', 'a']);
});

t.test('get -w keeps going when its server restarts', async (t) => {
  const server = await startServer(t);
  server.store.create(pod('a'));
  const ac = new AbortController();
  const run = shoal(server, ['get', 'pods', '-w', '-o', 'name'], { signal: ac.signal });
  for (let i = 0; i < 200 && !server.calls.some((c) => c.method === 'Watch'); i++) await new Promise((r) => setTimeout(r, 10));
  server.stop();
  server.store.create(pod('during-outage'));
  await server.start();
  server.store.create(pod('after'));
  for (let i = 0; i < 300 && server.calls.filter((c) => c.method === 'Watch').length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  const res = await run;
  t.equal(res.stdout, 'pod/a\npod/during-outage\npod/after\n');
});

t.test('get KIND,KIND prints a table per kind with kind/name rows', async (t) => {
  const server = await startServer(t);
  server.store.create(pod('p1'));
  server.store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'default' } });
  const res = await shoal(server, ['get', 'pods,cm']);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, [
    'NAME     READY   STATUS    RESTARTS   AGE',
    'pod/p1   0/2     Pending   0          60s',
    '',
    'NAME           DATA   AGE',
    'configmap/c1   0      60s',
    '',
  ].join('\n'));
  const names = await shoal(server, ['get', 'po,configmaps', '-o', 'name']);
  t.equal(names.stdout, 'pod/p1\nconfigmap/c1\n');
  const watch = await shoal(server, ['get', 'pods,cm', '-w']);
  t.equal(watch.code, 1);
  t.match(watch.stderr, /need a single kind/);
});
