// The data-plane half of "a rolling update with maxUnavailable 0 fails no
// request": clients keep connecting while the endpoints roll from one
// generation of backends to the next. In the gentle order (the endpoint leaves
// the route before its server stops) and in the racy one (the server stops
// first, the route learns later), no request fails: the first is plain
// routing, the second is the retry on a refused connect.
import t, { type Test } from 'tap';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { silentLogger } from '@shoal/log';
import { ServiceProxy } from '../../src/proxy/service-proxy.js';
import { seededRand } from '../../src/proxy/rand.js';

interface Srv { name: string; port: number; stop(): Promise<void> }

async function start(t: Test, name: string): Promise<Srv> {
  const conns = new Set<Socket>();
  const server: Server = createServer((s) => {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    s.on('error', () => s.destroy());
    s.end(`${name}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const stop = () => new Promise<void>((r) => { server.close(() => r()); for (const c of conns) c.destroy(); });
  t.teardown(stop);
  return { name, port: (server.address() as { port: number }).port, stop };
}

function ask(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let buf = '';
    c.setTimeout(3000, () => c.destroy());
    c.on('data', (d) => { buf += d.toString(); });
    c.on('error', () => undefined);
    c.on('close', () => resolve(buf.trim() || 'FAIL'));
  });
}

async function roll(t: Test, order: 'route-first' | 'server-first'): Promise<void> {
  const proxy = new ServiceProxy({ logger: silentLogger, rand: seededRand(3), now: () => Date.now() });
  t.teardown(() => proxy.stop());
  const route = (eps: Srv[]) => [{ key: 'web', listen: { host: '127.0.0.1', port: 0 }, groups: [{ weight: 1, endpoints: eps.map((e) => ({ ip: '127.0.0.1', port: e.port })) }] }];
  let live = [await start(t, 'g0-a'), await start(t, 'g0-b')];
  await proxy.apply(route(live));
  const port = proxy.address('web')!.port;

  let running = true;
  const answers: string[] = [];
  const workers = Array.from({ length: 4 }, async () => { while (running) answers.push(await ask(port)); });
  /** Let at least `n` more requests complete (the machine may be slow; no fixed sleeps). */
  const progress = async (n: number) => {
    const target = answers.length + n;
    while (answers.length < target) await new Promise((r) => setTimeout(r, 2));
  };

  for (let g = 1; g <= 3; g++) {
    for (const old of [...live]) {
      // maxSurge 1, maxUnavailable 0: the new pod is ready before the old one goes.
      const fresh = await start(t, `g${g}-${old.name.slice(-1)}`);
      live = [...live, fresh];
      await proxy.apply(route(live));
      await progress(4);
      live = live.filter((s) => s !== old);
      if (order === 'route-first') {
        await proxy.apply(route(live));
        await progress(2);
        await old.stop();
      } else {
        await old.stop();
        await progress(4); // requests arriving while the route still lists a dead server
        await proxy.apply(route(live));
      }
      await progress(4);
    }
  }
  running = false;
  await Promise.all(workers);
  t.ok(answers.length >= 6 * 10, `${answers.length} requests during the roll`);
  t.same(answers.filter((a) => a === 'FAIL'), [], 'no failed request');
  t.ok(answers.some((a) => a.startsWith('g3-')), 'the last generation serves');
  t.equal(answers.at(-1)!.slice(0, 3), 'g3-', 'and only it at the end');
}

t.test('endpoint leaves the route, then its server stops', (t) => roll(t, 'route-first'));
t.test('server stops first, the route learns later (refused connects are retried)', (t) => roll(t, 'server-first'));
