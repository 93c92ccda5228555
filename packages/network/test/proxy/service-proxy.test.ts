import t, { type Test } from 'tap';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { silentLogger } from '@shoal/log';
import { ServiceProxy, type ProxyRoute } from '../../src/proxy/service-proxy.js';
import { seededRand } from '../../src/proxy/rand.js';
import type { Backend } from '../../src/proxy/balancer.js';

/** A backend that answers every connection with its name, then echoes what it reads. */
async function backend(t: Test, name: string): Promise<Backend & { server: Server; conns: Set<Socket> }> {
  const conns = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    s.on('error', () => s.destroy());
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => { for (const c of conns) c.destroy(); server.close(); });
  return { ip: '127.0.0.1', port: (server.address() as { port: number }).port, server, conns };
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function newProxy(t: Test): ServiceProxy {
  const p = new ServiceProxy({ logger: silentLogger, rand: seededRand(1), now: () => Date.now(), connectTimeoutMs: 500 });
  t.teardown(() => p.stop());
  return p;
}

/** Connect, read the first line (the backend's name), close. */
function hello(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, host);
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) { c.destroy(); resolve(buf.slice(0, nl)); }
    });
    c.on('error', reject);
    c.on('close', () => resolve(buf === '' ? '<closed>' : buf));
  });
}

function route(key: string, endpoints: Backend[], extra: Partial<ProxyRoute> = {}): ProxyRoute {
  return { key, listen: { host: '127.0.0.1', port: 0 }, groups: [{ weight: 1, endpoints: endpoints.map(({ ip, port }) => ({ ip, port })) }], ...extra };
}

t.test('round robin over three endpoints through one listener', async (t) => {
  const bs = await Promise.all(['a', 'b', 'c'].map((n) => backend(t, n)));
  const p = newProxy(t);
  t.same(await p.apply([route('default/web:80', bs)]), []);
  const port = p.address('default/web:80')!.port;
  const got: string[] = [];
  for (let i = 0; i < 6; i++) got.push(await hello(port));
  t.same(got, ['a', 'b', 'c', 'a', 'b', 'c']);
  t.same(p.stats().forwarded['default/web:80'], { [`127.0.0.1:${bs[0]!.port}`]: 2, [`127.0.0.1:${bs[1]!.port}`]: 2, [`127.0.0.1:${bs[2]!.port}`]: 2 });
});

t.test('bytes flow both ways, with half-close', async (t) => {
  const b = await backend(t, 'echo');
  const p = newProxy(t);
  await p.apply([route('r', [b])]);
  const c = connect(p.address('r')!.port, '127.0.0.1', () => c.end('ping'.repeat(50_000)));
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => { c.on('data', (d: Buffer) => chunks.push(d)); c.on('end', () => resolve()); });
  c.destroy();
  t.equal(Buffer.concat(chunks).toString(), 'echo\n' + 'ping'.repeat(50_000));
});

t.test('an endpoint that refuses is skipped before any byte is sent', async (t) => {
  const good = await backend(t, 'good');
  const dead = { ip: '127.0.0.1', port: await deadPort() };
  const p = newProxy(t);
  await p.apply([route('r', [dead, good, dead])]);
  for (let i = 0; i < 4; i++) t.equal(await hello(p.address('r')!.port), 'good');
  t.equal(p.stats().rejected, 0);
  await p.apply([route('r', [dead])]);
  t.equal(await hello(p.address('r')!.port), '<closed>', 'nothing reachable: the client is closed');
  t.equal(p.stats().rejected, 1);
  await p.apply([route('r', [])]);
  t.equal(await hello(p.address('r')!.port), '<closed>', 'no endpoints');
});

t.test('a failed endpoint is quarantined: later connections do not retry it', async (t) => {
  const good = await backend(t, 'good');
  const dead = { ip: '127.0.0.1', port: await deadPort() };
  let clock = 0;
  const p = new ServiceProxy({ logger: silentLogger, rand: seededRand(1), now: () => clock, quarantineMs: 5000 });
  t.teardown(() => p.stop());
  await p.apply([route('r', [dead, good])]);
  const port = p.address('r')!.port;
  for (let i = 0; i < 6; i++) t.equal(await hello(port), 'good');
  // Only one of the six connections tried the dead endpoint: round robin alone
  // would have sent three there.
  t.equal(p.stats().failedDials, 1, 'the dead endpoint was dialled once');
  t.same(p.stats().forwarded['r'], { [`127.0.0.1:${good.port}`]: 6 });
  // With nothing else left, a quarantined endpoint is still tried (it may be back).
  await p.apply([route('r', [dead])]);
  t.equal(await hello(port), '<closed>');
  t.equal(p.stats().failedDials, 2, 'tried anyway when nothing else is left');
  clock += 6000;
  await p.apply([route('r', [dead, good])]);
  t.equal(await hello(port), 'good');
});

t.test('endpoint updates are live and do not cut established connections', async (t) => {
  const [a, b] = await Promise.all([backend(t, 'a'), backend(t, 'b')]);
  const p = newProxy(t);
  await p.apply([route('r', [a])]);
  const port = p.address('r')!.port;
  // A long-lived connection to a.
  const c = connect(port, '127.0.0.1');
  t.teardown(() => c.destroy());
  let got = '';
  c.on('data', (d) => { got += d.toString(); });
  await new Promise<void>((r) => { const i = setInterval(() => { if (got === 'a\n') { clearInterval(i); r(); } }, 5); });
  await p.apply([route('r', [b])]);
  t.equal(p.address('r')!.port, port, 'same listener');
  t.equal(await hello(port), 'b', 'new connections go to the new endpoint');
  c.write('still here');
  await new Promise<void>((r) => { const i = setInterval(() => { if (got.endsWith('still here')) { clearInterval(i); r(); } }, 5); });
  t.equal(got, 'a\nstill here', 'the old connection still talks to a');
  // Removing the route closes the listener but not the connection either.
  await p.apply([]);
  t.equal(p.address('r'), undefined);
  c.write('!');
  await new Promise<void>((r) => { const i = setInterval(() => { if (got.endsWith('!')) { clearInterval(i); r(); } }, 5); });
  t.pass('connection survived the route removal');
});

t.test('weighted split, client-IP affinity and fixed ports (NodePort)', async (t) => {
  const [stable, canary] = await Promise.all([backend(t, 'stable'), backend(t, 'canary')]);
  const p = newProxy(t);
  const nodePort = await deadPort();
  await p.apply([
    { key: 'split', listen: { host: '127.0.0.1', port: 0 }, groups: [{ weight: 80, endpoints: [stable] }, { weight: 20, endpoints: [canary] }] },
    route('sticky', [stable, canary], { affinity: { timeoutSeconds: 60 } }),
    route('np', [canary], { listen: { host: '127.0.0.1', port: nodePort } }),
  ]);
  const tally = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const who = await hello(p.address('split')!.port);
    tally.set(who, (tally.get(who) ?? 0) + 1);
  }
  const share = (tally.get('canary') ?? 0) / 200;
  t.ok(share > 0.1 && share < 0.3, `canary share ${share}`);
  const first = await hello(p.address('sticky')!.port);
  for (let i = 0; i < 5; i++) t.equal(await hello(p.address('sticky')!.port), first, 'same client, same endpoint');
  t.equal(p.address('np')!.port, nodePort);
  t.equal(await hello(nodePort), 'canary');
});

t.test('a port already taken is reported, the other routes still apply', async (t) => {
  const b = await backend(t, 'x');
  const p = newProxy(t);
  const errs = await p.apply([route('taken', [b], { listen: { host: '127.0.0.1', port: b.port } }), route('ok', [b])]);
  t.equal(errs.length, 1);
  t.equal(errs[0]!.name, 'ProxyListenError');
  t.equal(await hello(p.address('ok')!.port), 'x');
});

t.test('stop closes listeners and connections', async (t) => {
  const b = await backend(t, 'x');
  const p = new ServiceProxy({ logger: silentLogger, rand: seededRand(1), now: () => Date.now() });
  await p.apply([route('r', [b])]);
  const port = p.address('r')!.port;
  const c = connect(port, '127.0.0.1');
  await new Promise<void>((r) => c.once('data', () => r()));
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  await p.stop();
  await closed;
  await t.rejects(new Promise((_, reject) => { const d = connect(port, '127.0.0.1'); d.on('error', reject); d.on('connect', () => { d.destroy(); reject(new Error('still listening')); }); }).catch((e: NodeJS.ErrnoException) => { throw new Error(e.code); }), { message: 'ECONNREFUSED' });
});
