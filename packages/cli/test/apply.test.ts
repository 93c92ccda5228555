import t from 'tap';
import { shoal, startServer, tempFiles } from './helpers.js';

const MANIFESTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: shoal/busybox:latest
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
`;

t.test('apply -f FILE applies every document and reports created, then unchanged or configured', async (t) => {
  const server = await startServer(t);
  const dir = tempFiles(t, { 'app.yaml': MANIFESTS });
  const first = await shoal(server, ['apply', '-f', 'app.yaml'], { cwd: dir });
  t.equal(first.code, 0, first.stderr);
  t.equal(first.stdout, 'configmap/settings created\ndeployment.apps/web created\nservice/web created\n');
  t.equal(server.store.get('Deployment', 'default', 'web')?.metadata.namespace, 'default');

  const again = await shoal(server, ['apply', '-f', 'app.yaml'], { cwd: dir });
  t.equal(again.stdout, 'configmap/settings unchanged\ndeployment.apps/web unchanged\nservice/web unchanged\n');

  const changed = tempFiles(t, { 'app.yaml': MANIFESTS.replace('color: blue', 'color: red') });
  const third = await shoal(server, ['apply', '-f', 'app.yaml', '-o', 'name'], { cwd: changed });
  t.equal(third.stdout, 'configmap/settings\ndeployment.apps/web\nservice/web\n');
  t.same((server.store.get('ConfigMap', 'default', 'settings') as unknown as { data: unknown }).data, { color: 'red' });
});

t.test('apply -f DIR reads its manifests in name order; -f - reads stdin', async (t) => {
  const server = await startServer(t);
  const dir = tempFiles(t, {
    'b.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: b }\n',
    'a.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
    'notes.txt': 'not a manifest',
  });
  const res = await shoal(server, ['apply', '-f', dir]);
  t.equal(res.stdout, 'configmap/a created\nconfigmap/b created\n');
  const piped = await shoal(server, ['apply', '-f', '-', '-n', 'team'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n' });
  t.equal(piped.stdout, 'configmap/c created\n');
  t.ok(server.store.get('ConfigMap', 'team', 'c'), 'namespace from -n');
});

t.test('bad YAML: one line naming the file, document and line; nothing applied', async (t) => {
  const server = await startServer(t);
  const bad = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n';
  const dir = tempFiles(t, { 'bad.yaml': bad });
  const res = await shoal(server, ['apply', '-f', 'bad.yaml'], { cwd: dir });
  t.equal(res.code, 1);
  t.match(res.stderr, /^error: bad\.yaml: document 2 \(line \d+, column \d+\): invalid YAML: /);
  t.equal(res.stderr.trim().split('\n').length, 1, 'one line');
  t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
  t.equal(server.store.revision, 0, 'nothing applied');
});

t.test('a document without a name is refused before anything is sent', async (t) => {
  const server = await startServer(t);
  const dir = tempFiles(t, { 'x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' });
  const res = await shoal(server, ['apply', '-f', 'x.yaml'], { cwd: dir });
  t.equal(res.code, 1);
  t.equal(res.stderr, 'error: x.yaml: document 2 (line 6): metadata.name: required\n');
});

t.test('server-side errors name the document, the object and the field; other objects still apply', async (t) => {
  const server = await startServer(t);
  const docs = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: Bad_Name }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: good }\n';
  const dir = tempFiles(t, { 'm.yaml': docs });
  const res = await shoal(server, ['apply', '-f', 'm.yaml'], { cwd: dir });
  t.equal(res.code, 1);
  t.match(res.stderr, /^Error from server \(Invalid\): m\.yaml: document 1 \(line 1\): ConfigMap "Bad_Name": metadata\.name: /);
  t.equal(res.stdout, 'configmap/good created\n');
});

t.test('a missing file is one clear error', async (t) => {
  const server = await startServer(t);
  const res = await shoal(server, ['apply', '-f', 'nope.yaml'], { cwd: tempFiles(t, {}) });
  t.equal(res.code, 1);
  t.match(res.stderr, /^error: .*nope\.yaml: no such file or directory\n$/);
});

t.test('apply without -f explains what is missing', async (t) => {
  const res = await shoal(undefined, ['apply']);
  t.equal(res.code, 1);
  t.match(res.stderr, /give at least one -f FILE\|DIR\|-/);
});
