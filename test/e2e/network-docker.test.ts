// Service discovery and the data plane on real Docker, without the daemon:
// a pod bridge network, three busybox httpd backends on "node 2"'s slice, a
// client on "node 1"'s slice, this process running node 1's NodeNetwork (DNS,
// proxy, iptables DNAT). The client reaches the service by VIP and by name.
import t from 'tap';
import Docker from 'dockerode';
import { connect } from 'node:net';
import { silentLogger } from '@shoal/log';
import {
  IptablesNetfilter, NodeNetwork, ensureBridgeNetwork, nextPodAddress, podNetworkPlan, removeBridgeNetwork, seededRand,
  serviceChain, vipChain,
} from '@shoal/network';
import type { Endpoints, KubeObject, ListOptions, ObjectKey, ObjectReader, Service } from '@shoal/api';

const docker = new Docker();
const tag = `shoal-e2e-net-${process.pid}`;
const node = `e2e${process.pid}`;
const label = { 'io.shoal.test': tag };

class Store implements ObjectReader {
  revision = 1;
  constructor(public objects: KubeObject[]) {}
  get<T extends KubeObject = KubeObject>(k: ObjectKey): T | undefined {
    return this.objects.find((o) => o.kind === k.kind && o.metadata.namespace === k.namespace && o.metadata.name === k.name) as T | undefined;
  }
  list<T extends KubeObject = KubeObject>(kind: string, o?: ListOptions): T[] {
    return this.objects.filter((x) => x.kind === kind && (o?.namespace === undefined || x.metadata.namespace === o.namespace)) as T[];
  }
  put(obj: KubeObject): void {
    this.objects = [...this.objects.filter((o) => !(o.kind === obj.kind && o.metadata.name === obj.metadata.name)), obj];
    this.revision++;
  }
}

/**
 * One HTTP GET with nc, printing the body's last line or FAIL. (busybox wget
 * crashes in the static shoal/busybox image, so nc speaks HTTP/1.0 instead.)
 */
const get = (host: string, port: number | string) =>
  `b=$(printf 'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' | nc -w 3 ${host} ${port} | tail -n 1); if [ -n "$b" ]; then echo "$b"; else echo FAIL; fi`;

/** One HTTP GET from this process; the body's last line. */
function hostGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, host, () => c.end('GET / HTTP/1.0\r\nHost: x\r\n\r\n'));
    let buf = '';
    c.setTimeout(5000, () => c.destroy(new Error(`GET ${host}:${port} timed out`)));
    c.on('data', (d) => { buf += d.toString(); });
    c.on('error', reject);
    c.on('close', () => resolve(buf.trim().split('\n').at(-1) ?? ''));
  });
}

/** Run a command in a container; stdout and stderr together, and the exit code. */
async function exec(c: Docker.Container, cmd: string): Promise<{ out: string; code: number }> {
  const e = await c.exec({ Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
  const stream = await e.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const sink = { write: (b: Buffer) => { chunks.push(b); return true; } } as unknown as NodeJS.WritableStream;
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((r) => { stream.on('end', () => r()); stream.on('close', () => r()); });
  const info = await e.inspect();
  return { out: Buffer.concat(chunks).toString(), code: info.ExitCode ?? -1 };
}

t.test('VIP, DNS and live endpoint updates through the node proxy on Docker', async (t) => {
  const containers: string[] = [];
  let net: NodeNetwork | undefined;
  let net2: NodeNetwork | undefined;
  const nf = new IptablesNetfilter();
  t.teardown(async () => {
    await net?.stop().catch(() => {});
    await net2?.stop().catch(() => {});
    for (const name of containers) await docker.getContainer(name).remove({ force: true }).catch(() => {});
    await removeBridgeNetwork(docker, tag).catch(() => {});
  });

  // A /16 that collides with nothing on this host.
  let plan1: ReturnType<typeof podNetworkPlan> | undefined;
  for (const second of [213, 214, 215, 216, 217, 218]) {
    const subnet = `10.${second}.0.0/16`;
    const p = podNetworkPlan(subnet, 1);
    try {
      await ensureBridgeNetwork(docker, { name: tag, bridgeName: `shl${process.pid % 1e6}`, subnet, gateway: p.gateway, logger: silentLogger });
      plan1 = p;
      break;
    } catch (err) {
      if ((err as Error).name !== 'SubnetCollisionError') throw err;
    }
  }
  if (!plan1) throw new Error('no free subnet for the test network');
  const plan2 = podNetworkPlan(plan1.subnet, 2);
  t.pass(`network ${tag} on ${plan1.subnet}, gateway ${plan1.gateway}`);

  // Three backends on node 2's slice, each answering its own name.
  const used = new Set<string>();
  const backends: { name: string; ip: string }[] = [];
  for (const n of ['web-a', 'web-b', 'web-c']) {
    const ip = nextPodAddress(plan2.nodeCIDR, used)!;
    used.add(ip);
    const name = `${tag}-${n}`;
    containers.push(name);
    const c = await docker.createContainer({
      name, Image: 'shoal/busybox:latest', Labels: label,
      Cmd: ['sh', '-c', `mkdir -p /www && echo ${n} > /www/index.html && exec httpd -f -p 8080 -h /www`],
      HostConfig: { NetworkMode: tag },
      NetworkingConfig: { EndpointsConfig: { [tag]: { IPAMConfig: { IPv4Address: ip } } } },
    });
    await c.start();
    backends.push({ name: n, ip });
  }

  const vip = '10.97.0.10';
  const nodePort = 30000 + (process.pid % 2700);
  const store = new Store([
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: vip, ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort }] } } as Service,
    { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: backends.map((b) => ({ ip: b.ip })), ports: [{ name: 'http', port: 8080 }] }] } as Endpoints,
  ]);
  net = new NodeNetwork({
    node, view: () => store, nodeCIDR: plan1.nodeCIDR, podSubnet: plan1.subnet, gateway: plan1.gateway, upstreams: [],
    nodeAddress: '127.0.0.1', hostTraffic: true,
    netfilter: nf, logger: silentLogger, rand: seededRand(9), now: () => Date.now(),
  });
  await net.start();
  t.ok((await nf.listChains('nat')).includes(serviceChain(node)), 'node chains installed');
  t.ok((await nf.listRules('nat', vipChain(node))).length >= 3, 'DNAT rules for the VIP and DNS');

  // The client on node 1's slice, with the resolver settings the agent would give it.
  const clientIP = nextPodAddress(plan1.nodeCIDR, new Set())!;
  const dns = net.dns({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'default' }, spec: { containers: [] } })!;
  const clientName = `${tag}-client`;
  containers.push(clientName);
  const client = await docker.createContainer({
    name: clientName, Image: 'shoal/busybox:latest', Labels: label, Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: tag, Dns: dns.nameservers, DnsSearch: dns.searches, DnsOptions: dns.options },
    NetworkingConfig: { EndpointsConfig: { [tag]: { IPAMConfig: { IPv4Address: clientIP } } } },
  });
  await client.start();

  // Wait for the backends to listen (busybox httpd starts fast, but not instantly).
  for (let i = 0; i < 50; i++) {
    const r = await exec(client, backends.map((b) => get(b.ip, 8080)).join('; '));
    if (!r.out.includes('FAIL')) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const loop = (n: number) => `i=0; while [ $i -lt ${n} ]; do ${get(vip, 80)}; i=$((i+1)); done`;
  const first = await exec(client, loop(300));
  const tally = new Map<string, number>();
  for (const line of first.out.split('\n').filter(Boolean)) tally.set(line, (tally.get(line) ?? 0) + 1);
  t.equal(tally.get('FAIL'), undefined, 'no failed request');
  t.same([...tally.keys()].sort(), ['web-a', 'web-b', 'web-c'], `300 requests by VIP reach every backend: ${JSON.stringify(Object.fromEntries(tally))}`);
  t.equal([...tally.values()].reduce((a, b) => a + b, 0), 300);

  // web-b leaves the endpoints: no more traffic to it.
  store.put({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: backends.filter((b) => b.name !== 'web-b').map((b) => ({ ip: b.ip })), ports: [{ name: 'http', port: 8080 }] }] } as Endpoints);
  await net.sync();
  const second = await exec(client, loop(60));
  const lines = second.out.split('\n').filter(Boolean);
  t.equal(lines.length, 60);
  t.notOk(lines.includes('web-b'), 'removed backend gets no traffic');
  t.ok(lines.includes('web-a') && lines.includes('web-c'), 'the others still do');

  // A pod whose address Docker chose (from its pool, the subnet's upper half,
  // outside every node slice) still gets through, by the fallback rule.
  const strayName = `${tag}-stray`;
  containers.push(strayName);
  const stray = await docker.createContainer({
    name: strayName, Image: 'shoal/busybox:latest', Labels: label, Cmd: ['sleep', '3600'],
    HostConfig: { NetworkMode: tag, Dns: dns.nameservers, DnsSearch: dns.searches, DnsOptions: dns.options },
  });
  await stray.start();
  const strayIP = (await stray.inspect()).NetworkSettings.Networks[tag]!.IPAddress;
  t.ok(Number(strayIP.split('.')[2]) >= 128, `Docker picked ${strayIP} from the upper half`);
  const viaFallback = await exec(stray, loop(10));
  t.same(viaFallback.out.split('\n').filter(Boolean).filter((l) => !/^web-[ac]$/.test(l)), [], `pod at ${strayIP} reaches the VIP by the fallback rule`);
  const strayDns = await exec(stray, 'nslookup web');
  t.match(strayDns.out, new RegExp(`Address:\\s+${vip.replace(/\./g, '\\.')}`), 'and resolves names');

  // A second node in the same host netns: its pods (slice 2) go through its own proxy.
  net2 = new NodeNetwork({
    node: `${node}b`, view: () => store, nodeCIDR: plan2.nodeCIDR, podSubnet: plan1.subnet, gateway: plan1.gateway, upstreams: [],
    nodeAddress: '127.0.0.2',
    netfilter: nf, logger: silentLogger, rand: seededRand(10), now: () => Date.now(),
  });
  await net2.start();
  const count = (n: NodeNetwork) => Object.values(n.proxy.stats().forwarded['default/web:http'] ?? {}).reduce((a, b) => a + b, 0);
  const [before1, before2] = [count(net), count(net2)];
  const fromNode2 = await exec(docker.getContainer(`${tag}-web-a`), loop(20));
  t.same(fromNode2.out.split('\n').filter(Boolean).filter((l) => !/^web-[ac]$/.test(l)), [], 'a pod of node 2 reaches the VIP');
  t.equal(count(net2) - before2, 20, 'through node 2\'s proxy');
  t.equal(count(net) - before1, 0, 'not node 1\'s');
  const fromNode1 = await exec(client, loop(5));
  t.equal(fromNode1.out.split('\n').filter(Boolean).length, 5);
  t.equal(count(net) - before1, 5, 'node 1\'s pods still use node 1\'s proxy');
  // NodePort: every node's own address answers; host processes reach the VIP too (node 1 has hostTraffic).
  t.match(await hostGet('127.0.0.1', nodePort), /^web-[ac]$/, 'NodePort on node 1\'s address');
  t.match(await hostGet('127.0.0.2', nodePort), /^web-[ac]$/, 'NodePort on node 2\'s address');
  t.match(await hostGet(vip, 80), /^web-[ac]$/, 'a host process reaches the VIP');
  await net2.stop();
  net2 = undefined;

  // DNS through the node's server (DNAT from the gateway's port 53).
  const full = await exec(client, 'nslookup web.default.svc.cluster.local');
  t.match(full.out, new RegExp(`Address:\\s+${vip.replace(/\./g, '\\.')}`), `FQDN resolves:\n${full.out}`);
  const short = await exec(client, 'nslookup web');
  t.match(short.out, new RegExp(`Address:\\s+${vip.replace(/\./g, '\\.')}`), `short name resolves through the search path:\n${short.out}`);
  const byName = await exec(client, `${get('web', 80)}; ${get('web.default.svc.cluster.local', 80)}`);
  t.same(byName.out.split('\n').filter(Boolean).map((l) => /^web-[ac]$/.test(l)), [true, true], `requests by name: ${byName.out}`);
  // A headless service: its name lists the ready pods, and db-0.db names one of them.
  store.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] } } as Service);
  store.put({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'default' }, subsets: [{ addresses: [{ ip: backends[0]!.ip, hostname: 'db-0' }, { ip: backends[2]!.ip, hostname: 'db-1' }], ports: [{ name: 'http', port: 8080 }] }] } as Endpoints);
  // (busybox nslookup sends dotted names as they are; the C library's resolver,
  // used by nc below, walks the search path for them as ndots:5 asks.)
  const pod0 = await exec(client, 'nslookup db-0.db.default.svc.cluster.local');
  t.match(pod0.out, new RegExp(`Name:\\s+db-0\\.db\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${backends[0]!.ip.replace(/\./g, '\\.')}`), `db-0.db.default.svc.cluster.local resolves to its pod:\n${pod0.out}`);
  const headless = await exec(client, 'nslookup db');
  t.ok(headless.out.includes(backends[0]!.ip) && headless.out.includes(backends[2]!.ip), `db lists both pods:\n${headless.out}`);
  t.equal((await exec(client, get('db-0.db', 8080))).out.trim(), 'web-a', 'db-0.db (search path) reaches that pod');
  t.equal((await exec(client, get('db-1.db', 8080))).out.trim(), 'web-c', 'db-1.db reaches that pod');

  // A UDP service: a kube-dns-like VIP whose endpoint is this node's DNS server,
  // reached through the UDP proxy.
  const dnsVip = '10.97.0.53';
  store.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dns', namespace: 'default' }, spec: { clusterIP: dnsVip, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } } as Service);
  store.put({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'dns', namespace: 'default' }, subsets: [{ addresses: [{ ip: plan1.gateway }], ports: [{ name: 'dns', port: net.dnsServer.address.port, protocol: 'UDP' }] }] } as Endpoints);
  await net.sync();
  const viaUdpVip = await exec(client, `nslookup web.default.svc.cluster.local ${dnsVip}`);
  t.match(viaUdpVip.out, new RegExp(`Server:\\s+${dnsVip.replace(/\./g, '\\.')}[\\s\\S]*Address:\\s+${vip.replace(/\./g, '\\.')}`), `DNS through a UDP service VIP:\n${viaUdpVip.out}`);
  t.ok((net.proxy.stats().forwarded['default/dns:dns/udp'] ?? {})[`${plan1.gateway}:${net.dnsServer.address.port}`]! >= 1, 'carried by the UDP proxy');

  const missing = await exec(client, 'nslookup nope.default.svc.cluster.local');
  t.not(missing.code, 0, 'a missing service does not resolve');

  // A restart after a crash: the old daemon's rules are still in place (it never
  // stopped); the new one removes them by their owner tag and rebuilds from the store.
  const crashed = net;
  const oldTarget = (await nf.listRules('nat', vipChain(node))).find((r) => r.includes(`${vip}/32`))!.at(-1);
  net = new NodeNetwork({
    node, view: () => store, nodeCIDR: plan1.nodeCIDR, podSubnet: plan1.subnet, gateway: plan1.gateway, upstreams: [],
    netfilter: nf, logger: silentLogger, rand: seededRand(11), now: () => Date.now(),
  });
  await net.start();
  const newTarget = (await nf.listRules('nat', vipChain(node))).find((r) => r.includes(`${vip}/32`))!.at(-1);
  t.not(newTarget, oldTarget, `rules point at the new proxy (${oldTarget} -> ${newTarget})`);
  const jumps = (await nf.listRules('nat', 'PREROUTING')).filter((r) => r.includes(`shoal:${node}`));
  t.equal(jumps.length, 2, 'one dispatch jump and one fallback jump, not duplicates');
  await crashed.proxy.stop(); // the "dead" daemon's sockets go away; no request may need them
  await crashed.dnsServer.stop();
  t.same((await exec(client, loop(6))).out.split('\n').filter(Boolean).filter((l) => !/^web-[ac]$/.test(l)), [], 'served by the restarted node');

  await net.stop();
  net = undefined;
  const left = [...(await nf.listRules('nat', 'PREROUTING')), ...(await nf.listRules('nat', 'OUTPUT'))].filter((r) => r.includes(`shoal:${node}`));
  t.same(left, [], 'no rule left');
  t.same((await nf.listChains('nat')).filter((c) => c === serviceChain(node) || c === vipChain(node)), [], 'chains removed');
});
