import t from 'tap';
import { podReferences, type ObjectKey, type Pod } from '@shoal/api';
import { PodReferenceIndex } from '../src/pod-reference-index.js';

function pod(name: string, nodeName: string | undefined, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'busybox' }], ...(nodeName ? { nodeName } : {}), ...spec },
  } as Pod;
}
const key = (kind: string, name: string, namespace = 'default'): ObjectKey => ({ kind, namespace, name });

const referring = pod('web', 'n1', {
  volumes: [{ name: 'conf', configMap: { name: 'cm-vol' } }, { name: 's', secret: { secretName: 'sec-vol' } }, { name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
  initContainers: [{ name: 'init', image: 'busybox', envFrom: [{ secretRef: { name: 'sec-init' } }] }],
  containers: [{
    name: 'app', image: 'busybox',
    env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'a' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 'sec-env', key: 'b' } } }, { name: 'C', value: 'c' }],
    envFrom: [{ configMapRef: { name: 'cm-from' } }, { configMapRef: { name: 'cm-env' } }],
  }],
});

t.test('podReferences names every ConfigMap, Secret and claim once', async (t) => {
  const refs = podReferences(referring).map((r) => `${r.kind}/${r.name}`).sort();
  t.same(refs, ['ConfigMap/cm-env', 'ConfigMap/cm-from', 'ConfigMap/cm-vol', 'PersistentVolumeClaim/data', 'Secret/sec-env', 'Secret/sec-init', 'Secret/sec-vol']);
  t.same(podReferences(pod('bare', 'n1')), []);
});

t.test('the index wakes the agent only for its node and the objects its pods name', async (t) => {
  const idx = new PodReferenceIndex('n1', [referring, pod('elsewhere', 'n2', { volumes: [{ name: 'v', configMap: { name: 'other' } }] })]);
  t.ok(idx.references(key('ConfigMap', 'cm-vol')));
  t.ok(idx.references(key('Secret', 'sec-init')));
  t.ok(idx.references(key('PersistentVolumeClaim', 'data')));
  t.notOk(idx.references(key('ConfigMap', 'other')), 'named only by a pod of another node');
  t.notOk(idx.references(key('ConfigMap', 'cm-vol', 'prod')), 'same name, other namespace');
  t.notOk(idx.references(key('Secret', 'cm-vol')), 'same name, other kind');

  t.notOk(idx.pod(key('Pod', 'elsewhere'), pod('elsewhere', 'n2')), 'a pod of another node');
  t.notOk(idx.pod(key('Pod', 'pending'), pod('pending', undefined)), 'an unscheduled pod');
  t.ok(idx.pod(key('Pod', 'pending'), pod('pending', 'n1', { volumes: [{ name: 'v', configMap: { name: 'late' } }] })), 'bound to this node');
  t.ok(idx.references(key('ConfigMap', 'late')));

  // Two pods name cm-env; it stays referenced until both are gone.
  t.ok(idx.pod(key('Pod', 'twin'), pod('twin', 'n1', { volumes: [{ name: 'v', configMap: { name: 'cm-env' } }] })));
  t.ok(idx.pod(key('Pod', 'web'), undefined), 'a deleted pod of this node');
  t.ok(idx.references(key('ConfigMap', 'cm-env')), 'still named by twin');
  t.notOk(idx.references(key('ConfigMap', 'cm-vol')));
  t.ok(idx.pod(key('Pod', 'twin'), pod('twin', 'n1')), 'twin changed and no longer names it');
  t.notOk(idx.references(key('ConfigMap', 'cm-env')));
  t.notOk(idx.pod(key('Pod', 'web'), undefined), 'deleting an unknown pod again');
});
