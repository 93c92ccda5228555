// The chaos harness's network faults are real iptables rules on loopback:
// they must cut exactly the traffic they name and leave nothing behind.
import t from 'tap';
import { createServer, connect, type Server } from 'node:net';
import { NetworkFaults } from '../../scripts/lib/faults.js';

function listen(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((res, rej) => {
    const server = createServer((s) => s.end('hi\n'));
    server.once('error', rej);
    server.listen(0, host, () => res({ server, port: (server.address() as { port: number }).port }));
  });
}

function reaches(from: string, to: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: to, port, localAddress: from });
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.once('data', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(400, () => done(false));
  });
}

t.test('isolate cuts one node off both ways and heal removes every rule', async (t) => {
  const faults = new NetworkFaults(`test-${process.pid}`);
  t.teardown(() => faults.heal());
  const a = await listen('127.0.0.21');
  const b = await listen('127.0.0.22');
  const c = await listen('127.0.0.23');
  t.teardown(() => [a, b, c].forEach((x) => x.server.close()));

  t.ok(await reaches('127.0.0.21', '127.0.0.22', b.port), 'a reaches b before the fault');
  await faults.isolate('127.0.0.21', ['127.0.0.22']);
  t.equal((await faults.rules()).length, 2, 'two rules, tagged with the run');
  t.notOk(await reaches('127.0.0.21', '127.0.0.22', b.port), 'a cannot reach b');
  t.notOk(await reaches('127.0.0.22', '127.0.0.21', a.port), 'b cannot reach a');
  t.ok(await reaches('127.0.0.23', '127.0.0.22', b.port), 'c still reaches b');
  t.ok(await reaches('127.0.0.23', '127.0.0.21', a.port), 'c still reaches a');

  t.equal(await faults.heal(), 2);
  t.equal((await faults.rules()).length, 0, 'no rule left');
  t.ok(await reaches('127.0.0.21', '127.0.0.22', b.port), 'a reaches b after healing');
});

t.test('faults outside loopback are refused', async (t) => {
  const faults = new NetworkFaults(`test-${process.pid}-b`);
  await t.rejects(faults.isolate('10.0.0.1', ['127.0.0.1']), /refusing a fault outside loopback/);
  t.throws(() => new NetworkFaults('Bad Id'), /run id/);
});
