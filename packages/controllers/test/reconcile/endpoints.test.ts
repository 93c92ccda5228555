import t from 'tap';
import type { Endpoints, Pod } from '@shoal/api';
import { reconcileEndpoints } from '../../src/index.js';
import { MemoryCluster } from '../fixtures/memory-cluster.js';
import { key, step } from '../fixtures/drive.js';
import { service } from '../fixtures/objects.js';

const SVC = key('Service', 'web');
const EP = key('Endpoints', 'web');

function pod(c: MemoryCluster, name: string, ip: string | undefined, ready: boolean, labels = { app: 'web' }, port = 8080): void {
  c.create<Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i', ports: [{ name: 'http', containerPort: port }] }] } });
  if (ip) c.setPodStatus(key('Pod', name), { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] });
}

t.test('ready pods in addresses, unready in notReadyAddresses, named targetPort resolved per pod', async (t) => {
  const c = new MemoryCluster();
  c.create(service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'raw', port: 81, targetPort: 9000 }]));
  pod(c, 'a', '10.0.0.2', true);
  pod(c, 'b', '10.0.0.1', false);
  pod(c, 'c', undefined, false);
  pod(c, 'other', '10.0.0.9', true, { app: 'db' } as { app: string });
  pod(c, 'd', '10.0.0.3', true, { app: 'web' }, 7070);
  step(c, reconcileEndpoints, SVC);
  const ep = c.get<Endpoints>(EP)!;
  t.same(ep.subsets!.length, 2, 'pods with different resolved ports are different subsets');
  const main = ep.subsets!.find((s) => s.ports!.some((p) => p.port === 8080))!;
  t.same(main.addresses!.map((a) => a.ip), ['10.0.0.2']);
  t.same(main.notReadyAddresses!.map((a) => a.ip), ['10.0.0.1']);
  t.same(main.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'raw', port: 9000, protocol: 'TCP' }]);
  t.match(main.addresses![0], { nodeName: 'n1', targetRef: { kind: 'Pod', name: 'a' } });
  t.same(step(c, reconcileEndpoints, SVC).actions, [], 'idempotent');
});

t.test('a terminating pod leaves the endpoints at once', async (t) => {
  const c = new MemoryCluster();
  c.create(service('web', { app: 'web' }, [{ port: 80, targetPort: 8080 }]));
  pod(c, 'a', '10.0.0.1', true);
  pod(c, 'b', '10.0.0.2', true);
  step(c, reconcileEndpoints, SVC);
  c.apply([{ op: 'delete', key: key('Pod', 'a') }]);
  t.ok(c.get(key('Pod', 'a'))!.metadata.deletionTimestamp, 'still terminating');
  step(c, reconcileEndpoints, SVC);
  t.same(c.get<Endpoints>(EP)!.subsets![0]!.addresses!.map((a) => a.ip), ['10.0.0.2']);
});

t.test('publishNotReadyAddresses, no-selector services, and deletion with the service', async (t) => {
  const c = new MemoryCluster();
  const svc = c.create({ ...service('web', { app: 'web' }, [{ port: 80 }]) });
  c.put({ ...svc, spec: { ...svc.spec!, publishNotReadyAddresses: true } });
  pod(c, 'a', '10.0.0.1', false);
  step(c, reconcileEndpoints, SVC);
  t.same(c.get<Endpoints>(EP)!.subsets![0]!.addresses!.map((a) => a.ip), ['10.0.0.1']);
  c.apply([{ op: 'delete', key: SVC }]);
  step(c, reconcileEndpoints, SVC);
  t.equal(c.get(EP), undefined);
  c.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  t.same(step(c, reconcileEndpoints, key('Service', 'manual')).actions, []);
});
