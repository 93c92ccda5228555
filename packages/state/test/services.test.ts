import t from 'tap';
import { InvalidError, StoreConfigError } from '../src/index.js';
import { T0, create, edit, err, key, newStore, ok, service } from './helpers.js';

const ip = (o: unknown): string | undefined => (o as { spec: { clusterIP?: string } }).spec.clusterIP;
const nodePorts = (o: unknown): (number | undefined)[] => (o as { spec: { ports: { nodePort?: number }[] } }).spec.ports.map((p) => p.nodePort);

t.test('cluster IPs come from the CIDR, in order, deterministically', async (t) => {
  const s = newStore({ serviceCIDR: '10.0.0.0/29' });
  const a = ok(s.apply(create(service('a'))));
  t.equal(ip(a), '10.0.0.1');
  t.same((a.spec as { clusterIPs: string[] }).clusterIPs, ['10.0.0.1']);
  t.equal(ip(ok(s.apply(create(service('b'))))), '10.0.0.2');
  t.equal(ip(ok(s.apply(create(service('c', { clusterIP: '10.0.0.5' }))))), '10.0.0.5', 'an explicit free IP is kept');
  t.match(err(s.apply(create(service('d', { clusterIP: '10.0.0.5' })))).message, /already allocated/);
  t.match(err(s.apply(create(service('e', { clusterIP: '10.9.0.5' })))).message, /not in the valid range/);
  t.equal(ip(ok(s.apply(create(service('h', { clusterIP: 'None', ports: [] }))))), 'None', 'headless untouched');
  t.equal(ip(ok(s.apply(create(service('f'))))), '10.0.0.3');
  t.equal(ip(ok(s.apply(create(service('g'))))), '10.0.0.4');
  t.equal(ip(ok(s.apply(create(service('i'))))), '10.0.0.6', 'skips the taken .5');
  t.match(err(s.apply(create(service('j')))).message, /no free address/, 'the /29 is full (.0 and .7 reserved)');
  ok(s.apply({ type: 'delete', key: key('Service', 'b'), timestamp: T0 }));
  t.equal(ip(ok(s.apply(create(service('k'))))), '10.0.0.2', 'a released IP is reused once the cursor wraps');
});

t.test('cluster IPs are immutable on update', async (t) => {
  const s = newStore();
  const a = ok(s.apply(create(service('a'))));
  const e = edit(a);
  delete e.spec.clusterIP;
  delete e.spec.clusterIPs;
  e.spec.ports = [{ port: 81 }];
  const u = ok(s.apply({ type: 'update', object: e }));
  t.equal(ip(u), ip(a), 'an update without clusterIP keeps it');
  const e2 = edit(u);
  e2.spec.clusterIP = '10.96.9.9';
  t.match(err(s.apply({ type: 'update', object: e2 })).message, /field is immutable/);
});

t.test('node ports', async (t) => {
  const s = newStore({ nodePortRange: [30000, 30002] });
  const a = ok(s.apply(create(service('a', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }))));
  t.same(nodePorts(a), [30000, 30001]);
  t.match(err(s.apply(create(service('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] })))).message, /already allocated/);
  t.match(err(s.apply(create(service('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] })))).message, /not in the valid range 30000-30002/);
  const d = ok(s.apply(create(service('d', { type: 'NodePort', ports: [{ port: 80, nodePort: 30002 }] }))));
  t.same(nodePorts(d), [30002]);
  const clusterIPBefore = ip(ok(s.apply(create(service('probe')))));
  t.match(err(s.apply(create(service('e', { type: 'NodePort' })))).message, /no free node port/);
  t.equal(ip(ok(s.apply(create(service('probe2'))))), clusterIPBefore?.replace(/\d+$/, (n) => String(Number(n) + 1)), 'a failed create leaks no cluster IP');
  // Update: a port that stays keeps its node port; one that goes releases it.
  const e = edit(a);
  e.spec.ports = [{ name: 'http', port: 80 }];
  const u = ok(s.apply({ type: 'update', object: e }));
  t.same(nodePorts(u), [30000]);
  t.same(nodePorts(ok(s.apply(create(service('f', { type: 'NodePort' }))))), [30001], 'the released port is free again');
  const toCluster = edit(s.get(key('Service', 'd')));
  toCluster.spec.type = 'ClusterIP';
  delete toCluster.spec.ports[0].nodePort;
  ok(s.apply({ type: 'update', object: toCluster }));
  ok(s.apply({ type: 'delete', key: key('Service', 'f'), timestamp: T0 }));
  t.same(nodePorts(ok(s.apply(create(service('g', { type: 'NodePort', ports: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }] }))))).sort(), [30001, 30002], 'switching to ClusterIP and deleting release ports');
});

t.test('config is checked at construction', async (t) => {
  t.throws(() => newStore({ serviceCIDR: '10.0.0.0' }), StoreConfigError);
  t.throws(() => newStore({ serviceCIDR: '10.0.0.1/24' }), StoreConfigError);
  t.throws(() => newStore({ nodePortRange: [5, 1] }), StoreConfigError);
  t.throws(() => newStore({ historyLimit: 0 }), StoreConfigError);
  t.throws(() => newStore({ maxObjectBytes: 10 }), StoreConfigError);
  t.throws(() => newStore({ bootstrapTimestamp: 'x' }), StoreConfigError);
  t.ok(err(newStore().apply(create(service('x', { clusterIP: 'bogus' })))) instanceof InvalidError);
});
