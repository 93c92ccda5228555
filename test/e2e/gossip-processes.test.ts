// Three gossip processes on loopback with the `local` profile. SIGKILL one:
// the two others mark it dead within 2 s. Restart it: it rejoins with a higher
// incarnation. SIGTERM it: the others see a leave, not a death. Only the PIDs
// started here are killed in teardown.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import net from 'node:net';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../../packages/gossip/test/fixtures/gossip-node-main.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const cluster = `e2e-gossip-${process.pid}`;

interface Line { ev: string; at: number; member?: string; incarnation?: number; address?: string }
interface Proc { name: string; child: ChildProcess; lines: Line[] }

const procs: Proc[] = [];
t.teardown(() => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

/** A port free for both TCP and UDP on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      }).on('error', reject);
    });
    const ok = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

function start(name: string, port: number, seeds: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@shoal/source', fixture, name, String(port), cluster, ...seeds], {
    cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const p: Proc = { name, child, lines: [] };
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try { p.lines.push(JSON.parse(l) as Line); } catch { /* not ours */ }
  });
  procs.push(p);
  return p;
}

async function until<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const find = (p: Proc, pred: (l: Line) => boolean, after = 0): Line | undefined => p.lines.find((l) => l.at >= after && pred(l));

t.test('SIGKILLed member is marked dead within 2 s and rejoins with a higher incarnation', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const addr = (i: number): string => `127.0.0.1:${ports[i]}`;
  const a = start('a', ports[0]!, []);
  await until('a ready', () => find(a, (l) => l.ev === 'ready'));
  const b = start('b', ports[1]!, [addr(0)]);
  const c = start('c', ports[2]!, [addr(0), addr(1)]);
  for (const p of [b, c]) await until(`${p.name} ready`, () => find(p, (l) => l.ev === 'ready'));
  for (const p of [a, b, c]) {
    const others = ['a', 'b', 'c'].filter((n) => n !== p.name);
    await until(`${p.name} sees all`, () => others.every((o) => find(p, (l) => l.ev === 'join' && l.member === o)));
  }
  t.pass('three processes see each other');
  // Let the cluster settle so that the join traffic is over.
  await new Promise((r) => setTimeout(r, 1500));
  const cBefore = Math.max(...[a, b].map((p) => [...p.lines].reverse().find((l) => l.member === 'c')?.incarnation ?? 0));

  const killedAt = Date.now();
  c.child.kill('SIGKILL');
  const deadA = await until('a marks c dead', () => find(a, (l) => l.ev === 'dead' && l.member === 'c', killedAt), 10_000);
  const deadB = await until('b marks c dead', () => find(b, (l) => l.ev === 'dead' && l.member === 'c', killedAt), 10_000);
  const dA = deadA.at - killedAt, dB = deadB.at - killedAt;
  t.comment(`detection after SIGKILL: a ${dA} ms, b ${dB} ms (local profile)`);
  t.ok(dA < 2000, `a marked c dead within 2 s (${dA} ms)`);
  t.ok(dB < 2000, `b marked c dead within 2 s (${dB} ms)`);

  const restartedAt = Date.now();
  const c2 = start('c', ports[2]!, [addr(0), addr(1)]);
  const backA = await until('a sees c again', () => find(a, (l) => l.ev === 'join' && l.member === 'c', restartedAt));
  const backB = await until('b sees c again', () => find(b, (l) => l.ev === 'join' && l.member === 'c', restartedAt));
  t.comment(`c rejoined in ${backA.at - restartedAt} ms (process start included) with incarnation ${backA.incarnation}, was ${deadA.incarnation} when dead`);
  t.ok(backA.incarnation! > deadA.incarnation!, `a sees a higher incarnation (${backA.incarnation} > ${deadA.incarnation})`);
  t.ok(backB.incarnation! > deadB.incarnation!, 'b too');
  t.ok(backA.incarnation! > cBefore, 'higher than any incarnation c had before the crash');

  // A graceful exit is a leave, not a death.
  const termAt = Date.now();
  c2.child.kill('SIGTERM');
  await until('a sees c leave', () => find(a, (l) => l.ev === 'leave' && l.member === 'c', termAt), 10_000);
  await until('b sees c leave', () => find(b, (l) => l.ev === 'leave' && l.member === 'c', termAt), 10_000);
  await new Promise((r) => setTimeout(r, 1000));
  t.notOk(find(a, (l) => l.ev === 'dead' && l.member === 'c', termAt) ?? find(b, (l) => l.ev === 'dead' && l.member === 'c', termAt), 'SIGTERM: both saw a leave and no death');
});
