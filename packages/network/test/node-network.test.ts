import t from 'tap';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { silentLogger } from '@shoal/log';
import { NodeNetwork } from '../src/node-network.js';
import { MemoryNetfilter } from '../src/plumbing/netfilter.js';
import { seededRand } from '../src/proxy/rand.js';
import { RRType, decodeMessage, encodeMessage, queryMessage } from '../src/dns/message.js';
import { MemoryReader, endpoints, pod, service } from './helpers/objects.js';

async function backend(t: { teardown(f: () => void): void }, name: string): Promise<number> {
  const s = createServer((c) => c.end(`${name}\n`));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => s.close());
  return (s.address() as { port: number }).port;
}

function read(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const c = connect(port, '127.0.0.1');
    c.on('data', (d) => { buf += d.toString(); });
    c.on('end', () => resolve(buf.trim()));
    c.on('error', reject);
  });
}

t.test('wires DNS, proxy and rules from the store, and tears them down', async (t) => {
  const [pa, pb] = [await backend(t, 'a'), await backend(t, 'b')];
  const view = new MemoryReader([
    service('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] }),
    endpoints('web', [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: pa }] }]),
  ]);
  const nf = new MemoryNetfilter();
  const net = new NodeNetwork({
    node: 'n1', view: () => view, nodeCIDR: '10.210.1.0/24', gateway: '127.0.0.1', upstreams: [],
    netfilter: nf, logger: silentLogger, rand: seededRand(1), now: () => Date.now(),
  });
  await net.start();
  t.teardown(() => net.stop());

  const rules = await nf.listRules('nat', 'SHOAL-VIP-n1');
  const web = rules.find((r) => r.includes('10.96.0.10/32'))!;
  const to = web.at(-1)!;
  t.match(to, /^127\.0\.0\.1:\d+$/, 'DNAT to the proxy listener');
  const proxyPort = Number(to.split(':')[1]);
  t.equal(proxyPort, net.proxy.address('default/web:80')!.port);
  t.equal(await read(proxyPort), 'a');
  t.equal(rules.filter((r) => r.includes('53')).length, 2, 'DNS DNAT for udp and tcp');

  // DNS answers on the port the rule targets.
  const dnsPort = net.dnsServer.address.port;
  const sock = createSocket('udp4');
  const answer = await new Promise<string>((resolve) => {
    sock.on('message', (m) => { const d = decodeMessage(new Uint8Array(m)).answers[0]!.data; resolve(d.kind === 'A' ? d.address : '?'); });
    sock.send(encodeMessage(queryMessage(1, 'web.default.svc.cluster.local', RRType.A)), dnsPort, '127.0.0.1');
  });
  sock.close();
  t.equal(answer, '10.96.0.10');

  // Hooks.
  t.equal(net.serviceEnv(pod('p')).find((e) => e.name === 'WEB_SERVICE_HOST')?.value, '10.96.0.10');
  t.same(net.dns(pod('p'))?.nameservers, ['127.0.0.1']);

  // A store change, synced: new endpoint, same listener; coalesced syncs.
  view.put(endpoints('web', [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: pb }] }]));
  await Promise.all([net.sync(), net.sync(), net.sync()]);
  t.equal(await read(proxyPort), 'b');
  view.put(service('web', { clusterIP: '10.96.0.10', ports: [{ port: 8080 }] }));
  await net.sync();
  const after = await nf.listRules('nat', 'SHOAL-VIP-n1');
  t.ok(after.some((r) => r.includes('8080')) && !after.some((r) => r.includes('80') && r.includes('10.96.0.10/32') && !r.includes('8080')), 'port change rewrites the rule');

  // This node's pods outside its slice are claimed one by one; other nodes' pods are not.
  view.put({ ...pod('mine', { nodeName: 'n1' }), status: { podIP: '10.210.0.5' } });
  view.put({ ...pod('inslice', { nodeName: 'n1' }), status: { podIP: '10.210.1.5' } });
  view.put({ ...pod('theirs', { nodeName: 'n2' }), status: { podIP: '10.210.0.6' } });
  await net.sync();
  t.same((await nf.listRules('nat', 'SHOAL-SVC-n1')).map((r) => r[1]), ['10.210.1.0/24', '10.210.0.5/32']);

  await net.stop();
  t.same((await nf.listChains('nat')).filter((c) => c.startsWith('SHOAL')), []);
  t.same(await nf.listRules('nat', 'PREROUTING'), []);
});

t.test('a failed start undoes what it did', async (t) => {
  const nf = new MemoryNetfilter();
  const net = new NodeNetwork({
    node: 'n1', view: () => new MemoryReader(), nodeCIDR: '10.210.1.0/24', gateway: '127.0.0.1', upstreams: [],
    netfilter: { ...nf, listChains: nf.listChains.bind(nf), listRules: nf.listRules.bind(nf), deleteChain: nf.deleteChain.bind(nf), deleteRule: nf.deleteRule.bind(nf), ensureRule: nf.ensureRule.bind(nf), replaceChain: async () => { throw new Error('iptables-restore: permission denied'); } },
    logger: silentLogger, rand: seededRand(1), now: () => Date.now(),
  });
  await t.rejects(net.start(), /permission denied/);
  t.throws(() => net.dnsServer.address, { name: 'DnsServerError' }, 'DNS server stopped again');
});
