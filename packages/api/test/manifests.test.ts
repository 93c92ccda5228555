import t from 'tap';
import { ManifestError, parseManifests } from '../src/index.js';
import { thrown } from './helpers.js';

t.test('multi-document YAML', async (t) => {
  const objs = parseManifests(`# leading comment
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
---
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team-a
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: shoal/busybox:latest
...
`);
  t.equal(objs.length, 2);
  t.equal(objs[0]?.kind, 'Namespace');
  t.equal(objs[1]?.metadata.name, 'web');
  t.same(parseManifests(''), []);
  t.same(parseManifests('---\n# only a comment\n'), []);
});

t.test('List documents are flattened', async (t) => {
  const objs = parseManifests(`apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
`);
  t.same(objs.map((o) => o.metadata.name), ['a', 'b']);
  t.match(String(thrown(() => parseManifests('kind: List\nitems: 3\n'))), /document 1, line 1: items/);
});

t.test('errors name the document and the line', async (t) => {
  const syntax = thrown(() => parseManifests('kind: ConfigMap\nmetadata: {name: a}\n---\nkind: Pod\nmetadata:\n  name: [unclosed\n', { source: 'app.yaml' }));
  t.ok(syntax instanceof ManifestError);
  const e = syntax as ManifestError;
  t.equal(e.document, 2);
  t.equal(e.name, 'ManifestError');
  t.ok(e.line !== undefined && e.line >= 6, `line ${e.line}`);
  t.match(e.message, /^app\.yaml: document 2, line \d+: /);
  const scalar = thrown(() => parseManifests('kind: A\n---\n- 1\n- 2\n')) as ManifestError;
  t.equal(scalar.document, 2);
  t.equal(scalar.line, 3);
  t.match(scalar.message, /document 2, line 3: expected a map/);
  const noKind = thrown(() => parseManifests('apiVersion: v1\nmetadata: {name: a}\n')) as ManifestError;
  t.match(noKind.message, /document 1, line 1: kind: Required value/);
  const dup = thrown(() => parseManifests('kind: A\nkind: B\n')) as ManifestError;
  t.ok(dup instanceof ManifestError, 'duplicate keys are an error');
  t.equal(dup.line, 2);
});
