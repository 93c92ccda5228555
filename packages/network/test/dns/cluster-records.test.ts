import t from 'tap';
import { ClusterRecords } from '../../src/dns/cluster-records.js';
import { RCode, RRType, type Question } from '../../src/dns/message.js';
import { MemoryReader, endpoints, pod, service } from '../helpers/objects.js';

function world(): MemoryReader {
  return new MemoryReader([
    service('web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 8080 }] }),
    endpoints('web', [{ addresses: [{ ip: '10.210.1.5' }, { ip: '10.210.2.5' }], ports: [{ name: 'http', port: 8080 }] }]),
    service('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }),
    endpoints('db', [{
      addresses: [
        { ip: '10.210.1.7', hostname: 'db-0' },
        { ip: '10.210.2.7', targetRef: { kind: 'Pod', name: 'db-1', namespace: 'default' } },
        { ip: '10.210.3.7' },
      ],
      notReadyAddresses: [{ ip: '10.210.3.9', hostname: 'db-2' }],
      ports: [{ name: 'pg', port: 5432 }],
    }]),
    pod('db-1', { hostname: 'db-1', subdomain: 'db' }),
    service('api', { clusterIP: '10.96.0.20', ports: [{ port: 443 }] }, 'shop'),
  ]);
}

const q = (name: string, type: number = RRType.A): Question => ({ name, type, class: 1 });
const addrs = (a: ReturnType<ClusterRecords['lookup']>): string[] =>
  (a?.answers ?? []).map((r) => (r.data.kind === 'A' ? r.data.address : '?')).sort();

t.test('A for a ClusterIP service is its virtual IP', async (t) => {
  const z = new ClusterRecords(() => world());
  const a = z.lookup(q('web.default.svc.cluster.local'));
  t.equal(a?.rcode, RCode.NOERROR);
  t.same(addrs(a), ['10.96.0.10']);
  t.equal(a?.answers[0]!.ttl, 5);
  t.same(addrs(z.lookup(q('api.shop.svc.cluster.local'))), ['10.96.0.20']);
});

t.test('A for a headless service is its ready endpoints only', async (t) => {
  const z = new ClusterRecords(() => world());
  t.same(addrs(z.lookup(q('db.default.svc.cluster.local'))), ['10.210.1.7', '10.210.2.7', '10.210.3.7']);
  const r = world();
  r.put(service('db', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'pg', port: 5432 }] }));
  t.equal(addrs(new ClusterRecords(() => r).lookup(q('db.default.svc.cluster.local'))).length, 4, 'publishNotReadyAddresses');
});

t.test('pod records of a headless service: endpoint hostname, or pod hostname+subdomain', async (t) => {
  const z = new ClusterRecords(() => world());
  t.same(addrs(z.lookup(q('db-0.db.default.svc.cluster.local'))), ['10.210.1.7']);
  t.same(addrs(z.lookup(q('db-1.db.default.svc.cluster.local'))), ['10.210.2.7']);
  t.same(addrs(z.lookup(q('10-210-3-7.db.default.svc.cluster.local'))), ['10.210.3.7'], 'unnamed endpoint by dashed IP');
  t.equal(z.lookup(q('db-2.db.default.svc.cluster.local'))?.rcode, RCode.NXDOMAIN, 'not ready');
  t.equal(z.lookup(q('db-0.web.default.svc.cluster.local'))?.rcode, RCode.NXDOMAIN, 'not headless');
});

t.test('SRV for named ports', async (t) => {
  const z = new ClusterRecords(() => world());
  const a = z.lookup(q('_http._tcp.web.default.svc.cluster.local', RRType.SRV));
  t.same(a?.answers.map((r) => r.data), [{ kind: 'SRV', priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  t.same(addrs({ ...a!, answers: a!.additionals }), ['10.96.0.10']);
  const h = z.lookup(q('_pg._tcp.db.default.svc.cluster.local', RRType.SRV));
  t.same(h?.answers.map((r) => r.data.kind === 'SRV' && `${r.data.target}:${r.data.port}`).sort(), [
    '10-210-3-7.db.default.svc.cluster.local:5432',
    'db-0.db.default.svc.cluster.local:5432',
    'db-1.db.default.svc.cluster.local:5432',
  ]);
  t.equal(h?.additionals.length, 3);
  t.equal(z.lookup(q('_nope._tcp.web.default.svc.cluster.local', RRType.SRV))?.rcode, RCode.NXDOMAIN);
  t.equal(z.lookup(q('_http._udp.web.default.svc.cluster.local', RRType.SRV))?.rcode, RCode.NXDOMAIN);
});

t.test('existing names without the asked type are NODATA, missing names NXDOMAIN with the SOA', async (t) => {
  const z = new ClusterRecords(() => world());
  const aaaa = z.lookup(q('web.default.svc.cluster.local', RRType.AAAA));
  t.equal(aaaa?.rcode, RCode.NOERROR);
  t.equal(aaaa?.answers.length, 0);
  t.equal(aaaa?.authorities[0]!.type, RRType.SOA);
  for (const name of ['nope.default.svc.cluster.local', 'web.other.svc.cluster.local', 'a.b.c.d.e.f.svc.cluster.local', 'x.cluster.local', 'web.default.svc.cluster.local.default.svc.cluster.local']) {
    const a = z.lookup(q(name));
    t.equal(a?.rcode, RCode.NXDOMAIN, name);
    t.equal(a?.authorities[0]!.type, RRType.SOA);
  }
  for (const name of ['cluster.local', 'svc.cluster.local', 'default.svc.cluster.local', 'pod.cluster.local']) {
    t.equal(z.lookup(q(name))?.rcode, RCode.NOERROR, name);
  }
});

t.test('pod A records and PTR', async (t) => {
  const z = new ClusterRecords(() => world());
  t.same(addrs(z.lookup(q('10-210-1-5.default.pod.cluster.local'))), ['10.210.1.5']);
  t.equal(z.lookup(q('10-210-1.default.pod.cluster.local'))?.rcode, RCode.NXDOMAIN);
  const ptr = z.lookup(q('10.0.96.10.in-addr.arpa', RRType.PTR));
  t.same(ptr?.answers[0]!.data, { kind: 'PTR', target: 'web.default.svc.cluster.local' });
  const ptr2 = z.lookup(q('7.1.210.10.in-addr.arpa', RRType.PTR));
  t.same(ptr2?.answers[0]!.data, { kind: 'PTR', target: 'db-0.db.default.svc.cluster.local' });
  t.equal(z.lookup(q('8.8.8.8.in-addr.arpa', RRType.PTR)), undefined, 'unknown addresses are forwarded');
});

t.test('names outside the cluster domain are not ours; the domain is configurable', async (t) => {
  const z = new ClusterRecords(() => world(), { clusterDomain: 'shoal.internal.', ttl: 30 });
  t.equal(z.lookup(q('example.com')), undefined);
  t.equal(z.lookup(q('web.default.svc.cluster.local')), undefined);
  const a = z.lookup(q('web.default.svc.shoal.internal'));
  t.same(addrs(a), ['10.96.0.10']);
  t.equal(a?.answers[0]!.ttl, 30);
  t.equal(z.lookup({ name: 'web.default.svc.shoal.internal', type: RRType.A, class: 3 }), undefined, 'CHAOS class');
});

t.test('answers follow the store: a changed view gives new answers', async (t) => {
  const r = world();
  const z = new ClusterRecords(() => r);
  r.put(endpoints('db', [{ addresses: [{ ip: '10.210.9.9', hostname: 'db-0' }] }]));
  t.same(addrs(z.lookup(q('db-0.db.default.svc.cluster.local'))), ['10.210.9.9']);
});

t.test('reverse names in our ranges are answered NXDOMAIN, never forwarded', async (t) => {
  const z = new ClusterRecords(() => world(), { reverseCIDRs: ['10.96.0.0/16', '10.210.0.0/16'] });
  t.equal(z.lookup(q('99.99.96.10.in-addr.arpa', RRType.PTR))?.rcode, RCode.NXDOMAIN);
  t.equal(z.lookup(q('8.8.8.8.in-addr.arpa', RRType.PTR)), undefined);
  t.equal(z.lookup(q('10.0.96.10.in-addr.arpa', RRType.PTR))?.rcode, RCode.NOERROR);
  t.equal(z.lookup(q('x.0.96.10.in-addr.arpa', RRType.PTR)), undefined, 'not an address');
});
