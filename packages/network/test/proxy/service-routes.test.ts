import t from 'tap';
import { endpointsForPort, proxyRoutes, serviceRoutes } from '../../src/proxy/service-routes.js';
import { MemoryReader, endpoints, service } from '../helpers/objects.js';

const view = new MemoryReader([
  service('web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090 }] }),
  endpoints('web', [
    { addresses: [{ ip: '10.210.1.5' }, { ip: '10.210.2.5' }], notReadyAddresses: [{ ip: '10.210.3.5' }], ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }] },
    { addresses: [{ ip: '10.210.3.6' }], ports: [{ name: 'http', port: 8081 }] },
  ]),
  service('one', { clusterIP: '10.96.0.11', type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ port: 53, protocol: 'UDP' }, { port: 5000, nodePort: 30500 }] }),
  endpoints('one', [{ addresses: [{ ip: '10.210.1.9' }], ports: [{ port: 5000 }] }]),
  service('db', { clusterIP: 'None', ports: [{ port: 5432 }] }),
  service('pending', { ports: [{ port: 1 }] }),
]);

t.test('one route per port of each service with a virtual IP', async (t) => {
  const rs = serviceRoutes(view);
  t.same(rs.map((r) => `${r.key} ${r.protocol}`), ['default/one:5000 tcp', 'default/one:53/udp udp', 'default/web:http tcp', 'default/web:metrics tcp']);
  t.same(rs[1]!.groups[0]!.endpoints, [], 'no UDP endpoint port: no endpoints');
  const http = rs.find((r) => r.key === 'default/web:http')!;
  t.same(http.groups, [{ weight: 1, endpoints: [{ ip: '10.210.1.5', port: 8080 }, { ip: '10.210.2.5', port: 8080 }, { ip: '10.210.3.6', port: 8081 }] }], 'ready only, per-subset target ports');
  t.same(rs.find((r) => r.key === 'default/web:metrics')!.groups[0]!.endpoints, [{ ip: '10.210.1.5', port: 9100 }, { ip: '10.210.2.5', port: 9100 }]);
  const one = rs[0]!;
  t.equal(one.nodePort, 30500);
  t.same(one.affinity, { timeoutSeconds: 10800 });
  t.equal(one.clusterIP, '10.96.0.11');
});

t.test('no Endpoints object: a route with no endpoints', async (t) => {
  const v = new MemoryReader([service('lonely', { clusterIP: '10.96.0.12', ports: [{ port: 80 }] })]);
  t.same(serviceRoutes(v)[0]!.groups, [{ weight: 1, endpoints: [] }]);
  t.same(endpointsForPort(undefined, { port: 80 }), []);
});

t.test('a splitter decides the groups', async (t) => {
  const rs = serviceRoutes(view, (_s, _p, eps) => [{ weight: 9, endpoints: eps.slice(1) }, { weight: 1, endpoints: eps.slice(0, 1) }]);
  t.same(rs.find((r) => r.key === 'default/web:http')!.groups.map((g) => g.weight), [9, 1]);
});

t.test('proxy routes: a VIP listener each, NodePort on the node address', async (t) => {
  const pr = proxyRoutes(serviceRoutes(view), { vipHost: '10.210.0.1', nodeAddress: '127.0.0.2' });
  t.same(pr.map((r) => `${r.key} ${r.listen.host}:${r.listen.port}`), [
    'default/one:5000 10.210.0.1:0',
    'default/one:5000@nodeport 127.0.0.2:30500',
    'default/one:53/udp 10.210.0.1:0',
    'default/web:http 10.210.0.1:0',
    'default/web:metrics 10.210.0.1:0',
  ]);
  t.equal(proxyRoutes(serviceRoutes(view), { vipHost: '10.210.0.1' }).length, 4, 'no node address, no NodePort listener');
  t.equal(pr[2]!.protocol, 'udp');
});
