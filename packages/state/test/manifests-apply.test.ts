import t from 'tap';
import { parseManifests } from '@shoal/api';
import { ObjectStore } from '../src/index.js';
import { T0 } from './helpers.js';

t.test('a multi-document manifest applies in order', async (t) => {
  const objs = parseManifests(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: shoal/busybox:latest, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Secret
metadata: {name: auth, namespace: shop}
stringData: {password: s3cret}
`);
  const s = new ObjectStore({ serviceCIDR: '10.96.0.0/24', nodePortRange: [30100, 30199] });
  const results = objs.map((object, i) => s.apply({ type: 'create', object, uid: `m-${i}`, timestamp: T0 }));
  t.same(results.map((r) => (r.ok ? 'ok' : r.error.message)), ['ok', 'ok', 'ok', 'ok']);
  const dep = s.get({ kind: 'Deployment', namespace: 'shop', name: 'web' }) as { spec: { replicas: number; strategy: { type: string } } } | undefined;
  t.equal(dep?.spec.replicas, 1);
  t.equal(dep?.spec.strategy.type, 'RollingUpdate');
  const svc = s.get({ kind: 'Service', namespace: 'shop', name: 'web' }) as { spec: { clusterIP: string; ports: { nodePort: number; targetPort: number }[] } } | undefined;
  t.equal(svc?.spec.clusterIP, '10.96.0.1');
  t.equal(svc?.spec.ports[0]?.nodePort, 30100);
  t.equal(svc?.spec.ports[0]?.targetPort, 8080);
  const sec = s.get({ kind: 'Secret', namespace: 'shop', name: 'auth' }) as { data: Record<string, string> } | undefined;
  t.equal(Buffer.from(sec?.data.password ?? '', 'base64').toString(), 's3cret');
  // Applying the same manifests again: every create is refused as already existing, nothing changes.
  const rev = s.revision;
  t.same(objs.map((object, i) => s.apply({ type: 'create', object, uid: `again-${i}`, timestamp: T0 }).ok), [false, false, false, false]);
  t.equal(s.revision, rev);
});
