import t, { type Test } from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { silentLogger } from '@shoal/log';
import { ServiceProxy } from '../../src/proxy/service-proxy.js';
import { seededRand } from '../../src/proxy/rand.js';

/** A UDP backend that answers each datagram with `<name>:<payload>`. */
async function udpBackend(t: Test, name: string): Promise<{ ip: string; port: number; sock: Socket }> {
  const sock = createSocket('udp4');
  sock.on('message', (m, r) => sock.send(`${name}:${m.toString()}`, r.port, r.address));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => { try { sock.close(); } catch { /* closed by the test */ } });
  return { ip: '127.0.0.1', port: sock.address().port, sock };
}

async function client(t: Test): Promise<{ ask(port: number, msg: string, timeoutMs?: number): Promise<string> }> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => sock.close());
  return {
    ask: (port, msg, timeoutMs = 2000) => new Promise((resolve) => {
      const timer = setTimeout(() => { sock.removeAllListeners('message'); resolve('<timeout>'); }, timeoutMs);
      sock.once('message', (m) => { clearTimeout(timer); resolve(m.toString()); });
      sock.send(msg, port, '127.0.0.1');
    }),
  };
}

t.test('UDP: one flow per client, round robin across clients, replies come back', async (t) => {
  const [a, b] = [await udpBackend(t, 'a'), await udpBackend(t, 'b')];
  let clock = 0;
  const p = new ServiceProxy({ logger: silentLogger, rand: seededRand(1), now: () => clock, udpIdleMs: 1000 });
  t.teardown(() => p.stop());
  t.same(await p.apply([{ key: 'dns/udp', protocol: 'udp', listen: { host: '127.0.0.1', port: 0 }, groups: [{ weight: 1, endpoints: [a, b].map(({ ip, port }) => ({ ip, port })) }] }]), []);
  const port = p.address('dns/udp')!.port;
  const c1 = await client(t);
  const c2 = await client(t);
  t.equal(await c1.ask(port, 'x'), 'a:x');
  t.equal(await c1.ask(port, 'y'), 'a:y', 'same client, same flow');
  t.equal(await c2.ask(port, 'z'), 'b:z', 'next client, next endpoint');
  t.equal(p.stats().active, 2);
  // Idle flows are swept; the client's next datagram opens a new flow.
  clock += 5000;
  await new Promise((r) => setTimeout(r, 1100));
  t.equal(p.stats().active, 0, 'idle flows closed');
  t.equal(await c1.ask(port, 'w'), 'a:w');
  t.same(p.stats().forwarded['dns/udp'], { [`127.0.0.1:${a.port}`]: 2, [`127.0.0.1:${b.port}`]: 1 });
});

t.test('UDP: a closed endpoint ends the flow; the next flow goes elsewhere', async (t) => {
  const [a, b] = [await udpBackend(t, 'a'), await udpBackend(t, 'b')];
  const p = new ServiceProxy({ logger: silentLogger, rand: seededRand(1), now: () => Date.now() });
  t.teardown(() => p.stop());
  await p.apply([{ key: 'u', protocol: 'udp', listen: { host: '127.0.0.1', port: 0 }, groups: [{ weight: 1, endpoints: [a, b].map(({ ip, port }) => ({ ip, port })) }] }]);
  const port = p.address('u')!.port;
  const c = await client(t);
  t.equal(await c.ask(port, '1'), 'a:1');
  a.sock.close();
  t.equal(await c.ask(port, '2', 300), '<timeout>', 'the datagram to the dead endpoint is lost (UDP)');
  // The ICMP unreachable ended the flow and quarantined the endpoint.
  let answer = '<timeout>';
  for (let i = 0; i < 10 && answer === '<timeout>'; i++) answer = await c.ask(port, '3', 300);
  t.equal(answer, 'b:3');
  t.ok(p.stats().failedDials >= 1);
  await p.apply([{ key: 'u', protocol: 'udp', listen: { host: '127.0.0.1', port: 0 }, groups: [{ weight: 1, endpoints: [] }] }]);
  const c2 = await client(t);
  t.equal(await c2.ask(port, '4', 300), '<timeout>', 'no endpoints: dropped');
  t.ok(p.stats().rejected >= 1);
});

t.test('UDP and TCP listeners can share a port number; moving protocol reopens', async (t) => {
  const a = await udpBackend(t, 'a');
  const p = new ServiceProxy({ logger: silentLogger, rand: seededRand(1), now: () => Date.now() });
  t.teardown(() => p.stop());
  await p.apply([{ key: 'tcp', listen: { host: '127.0.0.1', port: 0 }, groups: [] }]);
  const port = p.address('tcp')!.port;
  t.same(await p.apply([
    { key: 'tcp', listen: { host: '127.0.0.1', port: 0 }, groups: [] },
    { key: 'udp', protocol: 'udp', listen: { host: '127.0.0.1', port }, groups: [{ weight: 1, endpoints: [{ ip: a.ip, port: a.port }] }] },
  ]), []);
  const c = await client(t);
  t.equal(await c.ask(port, 'same port'), 'a:same port');
  const taken = await p.apply([
    { key: 'udp', protocol: 'udp', listen: { host: '127.0.0.1', port }, groups: [] },
    { key: 'udp2', protocol: 'udp', listen: { host: '127.0.0.1', port }, groups: [] },
  ]);
  t.equal(taken[0]?.name, 'ProxyListenError', 'a UDP port taken by another route');
  t.equal(p.address('tcp'), undefined, 'a route left out is closed');
  // The same key switching protocol gets a new listener.
  await p.apply([{ key: 'udp', listen: { host: '127.0.0.1', port: 0 }, groups: [] }]);
  t.not(p.address('udp'), undefined);
});
