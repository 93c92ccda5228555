import t from 'tap';
import { formatIssue, validateUpdate, type KubeObject } from '../src/index.js';
import { valid } from './fixtures.js';

function changed(kind: string, edit: (o: Record<string, any>) => void): [KubeObject, KubeObject] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const old = valid()[kind] as KubeObject;
  const next = structuredClone(old) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  edit(next);
  return [old, next as KubeObject];
}
const check = (pair: [KubeObject, KubeObject]): string[] => validateUpdate(...pair).map(formatIssue);

t.test('workload selectors are immutable', async (t) => {
  for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']) {
    t.match(check(changed(kind, (o) => { o.spec.selector = { matchLabels: { app: 'other' } }; })), [/^spec\.selector: Invalid value: .*field is immutable/], kind);
    t.same(check(changed(kind, (o) => { o.spec.template.spec.containers[0].image = 'v2'; })), [], `${kind} template may change`);
  }
  t.same(check(changed('Deployment', (o) => { o.spec.replicas = 10; o.spec.paused = true; })), []);
});

t.test('pod specs are fixed except images, deadlines and added tolerations', async (t) => {
  t.same(check(changed('Pod', (o) => { o.spec.containers[0].image = 'v2'; o.spec.activeDeadlineSeconds = 60; o.metadata.labels = { x: 'y' }; })), []);
  t.same(check(changed('Pod', (o) => { o.spec.tolerations = [{ key: 'k', operator: 'Exists' }]; })), [], 'adding a toleration');
  t.match(check(changed('Pod', (o) => { o.spec.containers[0].ports = []; })), [/^spec: Forbidden: pod updates may not change fields/]);
  t.match(check(changed('Pod', (o) => { o.spec.restartPolicy = 'Never'; })), [/^spec: Forbidden/]);
  const withTol = valid().Pod as KubeObject;
  (withTol.spec as { tolerations?: unknown[] }).tolerations = [{ key: 'k', operator: 'Exists' }];
  const removed = structuredClone(withTol) as KubeObject;
  (removed.spec as { tolerations?: unknown[] }).tolerations = [];
  t.match(validateUpdate(withTol, removed).map(formatIssue), [/^spec: Forbidden/], 'removing a toleration');
});

t.test('jobs and statefulsets', async (t) => {
  t.match(check(changed('Job', (o) => { o.spec.template.spec.containers[0].image = 'v2'; })), [/^spec\.template: Invalid value: .*field is immutable/]);
  t.same(check(changed('Job', (o) => { o.spec.suspend = true; o.spec.parallelism = 3; })), []);
  t.same(check(changed('StatefulSet', (o) => { o.spec.replicas = 5; o.spec.updateStrategy = { type: 'OnDelete' }; o.spec.template.spec.containers[0].image = 'v2'; })), []);
  t.match(check(changed('StatefulSet', (o) => { o.spec.serviceName = 'other'; })), [/^spec: Forbidden: updates to statefulset spec/]);
  t.same(check(changed('ConfigMap', (o) => { o.data = { x: '1' }; })), [], 'other kinds: no update rules');
});

t.test('a claim changes only its requested size', async (t) => {
  t.same(check(changed('PersistentVolumeClaim', (o) => { o.spec.resources = { requests: { storage: '2Gi' } }; o.metadata.labels = { a: 'b' }; })), []);
  t.match(check(changed('PersistentVolumeClaim', (o) => { o.spec.accessModes = ['ReadWriteMany']; })), [/^spec: Forbidden: spec is immutable after creation/]);
  t.match(check(changed('PersistentVolumeClaim', (o) => { o.spec.storageClassName = 'fast'; })), [/^spec: Forbidden/]);
});
