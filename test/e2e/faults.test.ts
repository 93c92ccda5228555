// The chaos harness's network faults are real iptables rules matching the
// sender's cgroup: they must cut exactly the traffic they name and leave
// nothing behind.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { NetworkFaults, joinCgroup, removeCgroup, type FaultTarget } from '../../scripts/lib/faults.js';

function listen(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((res, rej) => {
    const server = createServer((s) => s.end('hi\n'));
    server.once('error', rej);
    server.listen(0, host, () => res({ server, port: (server.address() as { port: number }).port }));
  });
}

/** A prober process in `cgroup` that answers "ok"/"no" for host:port on each stdin line. */
function prober(cgroup: string): { child: ChildProcess; reaches(host: string, port: number): Promise<boolean> } {
  const child = spawn(process.execPath, ['-e', `
    const net = require('net');
    require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
      const [host, port] = l.split(' ');
      const s = net.connect({ host, port: Number(port) });
      const done = (ok) => { s.destroy(); process.stdout.write(ok ? 'ok\\n' : 'no\\n'); };
      s.once('data', () => done(true)); s.once('error', () => done(false)); s.setTimeout(400, () => done(false));
    });`], { stdio: ['pipe', 'pipe', 'inherit'] });
  joinCgroup(cgroup, child.pid!);
  const waiters: ((ok: boolean) => void)[] = [];
  child.stdout!.on('data', (b: Buffer) => {
    for (const line of b.toString().trim().split('\n')) waiters.shift()?.(line === 'ok');
  });
  return {
    child,
    reaches: (host, port) =>
      new Promise((res) => {
        waiters.push(res);
        child.stdin!.write(`${host} ${port}\n`);
      }),
  };
}

t.test('isolate cuts one node off both ways and heal removes every rule', async (t) => {
  const run = `test-${process.pid}`;
  const faults = new NetworkFaults(run);
  const cg = (n: string) => `shoal-test/${run}/${n}`;
  const a: FaultTarget = { address: '127.0.0.21', cgroup: cg('a') };
  const b: FaultTarget = { address: '127.0.0.22', cgroup: cg('b') };
  const c: FaultTarget = { address: '127.0.0.23', cgroup: cg('c') };
  const servers = await Promise.all([a, b, c].map((x) => listen(x.address)));
  const [pa, pb, pc] = [a, b, c].map((x) => prober(x.cgroup));
  t.teardown(async () => {
    await faults.heal();
    for (const p of [pa, pb, pc]) p!.child.kill('SIGKILL');
    servers.forEach((s) => s.server.close());
    await new Promise((r) => setTimeout(r, 100));
    for (const x of [a, b, c]) removeCgroup(x.cgroup);
  });
  const port = (i: number) => servers[i]!.port;

  t.ok(await pa!.reaches(b.address, port(1)), 'a reaches b before the fault');
  await faults.isolate(a, [b]);
  t.equal((await faults.rules()).length, 2, 'two rules, tagged with the run');
  t.notOk(await pa!.reaches(b.address, port(1)), 'a cannot reach b');
  t.notOk(await pb!.reaches(a.address, port(0)), 'b cannot reach a');
  t.ok(await pc!.reaches(b.address, port(1)), 'c still reaches b');
  t.ok(await pc!.reaches(a.address, port(0)), 'c still reaches a');
  t.ok(await pa!.reaches(c.address, port(2)), 'a still reaches c');

  t.equal(await faults.heal(), 2);
  t.equal((await faults.rules()).length, 0, 'no rule left');
  t.ok(await pa!.reaches(b.address, port(1)), 'a reaches b after healing');
});

t.test('faults outside loopback are refused', async (t) => {
  const faults = new NetworkFaults(`test-${process.pid}-b`);
  await t.rejects(faults.isolate({ address: '127.0.0.1', cgroup: 'x' }, [{ address: '10.0.0.1', cgroup: 'y' }]), /refusing a fault outside loopback/);
  t.throws(() => new NetworkFaults('Bad Id'), /run id/);
});
