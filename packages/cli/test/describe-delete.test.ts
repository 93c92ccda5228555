import t from 'tap';
import type { KubeObject } from '@shoal/api';
import { shoal, startServer, tempFiles } from './helpers.js';

const podObj = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'busybox:1', command: ['sleep', '3600'] }] } });

t.test('describe shows the fields and the recent Events of the object', async (t) => {
  const server = await startServer(t);
  const p = server.store.create(podObj('web-1'));
  server.store.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web-1', uid: p.metadata.uid }, reason: 'Scheduled', message: 'assigned to node-2', type: 'Normal', source: { component: 'scheduler' }, lastTimestamp: '2026-01-01T11:59:30Z' } as KubeObject);
  server.store.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'someone-else' }, reason: 'Killing', message: 'not ours', type: 'Normal' } as KubeObject);
  const res = await shoal(server, ['describe', 'pod', 'web-1']);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /^Name:\s+web-1\nNamespace:\s+default\nLabels:\s+app=web\n/);
  t.match(res.stdout, /Containers:\n {2}app:\n {4}Image:\s+busybox:1\n {4}Command:\s+sleep 3600\n/);
  t.match(res.stdout, /Events:\n {2}Type\s+Reason\s+Age\s+From\s+Message\n {2}----.*\n {2}Normal\s+Scheduled\s+30s\s+scheduler\s+assigned to node-2\n$/);
  t.notMatch(res.stdout, /not ours/);
});

t.test('describe of an object without events, and of a deployment', async (t) => {
  const server = await startServer(t);
  server.store.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } });
  const res = await shoal(server, ['describe', 'deploy/web']);
  t.match(res.stdout, /Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable\n/);
  t.match(res.stdout, /\nEvents: {2}<none>\n$/, 'Events starts its own section');
});

t.test('describe names the finalizers that hold an object (a claim)', async (t) => {
  const server = await startServer(t);
  server.store.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-db-0', finalizers: ['shoal.io/pvc-protection'] }, spec: { resources: { requests: { storage: '1Gi' } } } } as KubeObject);
  const res = await shoal(server, ['describe', 'pvc', 'data-db-0']);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /\nFinalizers:\s+\[shoal\.io\/pvc-protection\]\n/);
});

t.test('delete by name passes cascade and grace period; a missing object fails with exit 1', async (t) => {
  const server = await startServer(t);
  server.store.create(podObj('a'));
  const res = await shoal(server, ['delete', 'pod', 'a', '--cascade=foreground', '--grace-period=5']);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, 'pod "a" deleted\n');
  t.same(server.store.deletes, [{ kind: 'Pod', namespace: 'default', name: 'a', propagationPolicy: 'Foreground', gracePeriodSeconds: 5 }]);
  const again = await shoal(server, ['delete', 'pod', 'a']);
  t.equal(again.code, 1);
  t.equal(again.stderr, 'Error from server (NotFound): Pod "a" not found in namespace "default"\n');
  const ignored = await shoal(server, ['delete', 'pod', 'a', '--ignore-not-found']);
  t.equal(ignored.code, 0);
});

t.test('delete -f and delete -l', async (t) => {
  const server = await startServer(t);
  const dir = tempFiles(t, { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n' });
  await shoal(server, ['apply', '-f', 'cm.yaml'], { cwd: dir });
  const byFile = await shoal(server, ['delete', '-f', 'cm.yaml', '--cascade=orphan'], { cwd: dir });
  t.equal(byFile.stdout, 'configmap "x" deleted\n');
  t.equal(server.store.deletes[0]?.propagationPolicy, 'Orphan');
  server.store.create(podObj('w1'));
  server.store.create(podObj('w2'));
  const byLabel = await shoal(server, ['delete', 'pods', '-l', 'app=web']);
  t.equal(byLabel.stdout, 'pod "w1" deleted\npod "w2" deleted\n');
  const nothing = await shoal(server, ['delete', 'pods']);
  t.equal(nothing.code, 1);
  t.match(nothing.stderr, /give the name of the Pod to delete/);
});
