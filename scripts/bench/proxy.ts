// Proxy benchmark: requests/s and latency of keep-alive HTTP requests sent
// directly to a backend and through the Shoal service proxy, in the same run.
// The backend and the proxy run in their own processes so the load generator
// does not share their event loop. Direct and proxied runs alternate for
// several rounds, so a change in machine load hits both paths alike.
//
//   npm run bench -- proxy [--duration 2] [--rounds 5] [--concurrency 32]
//   node --conditions=@shoal/source --import tsx scripts/bench/proxy.ts
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, request, Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@shoal/log';
import { ServiceProxy, seededRand } from '@shoal/network';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    target: { type: 'string' },
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '32' },
  },
  allowPositionals: true,
});

function announce(port: number): void {
  process.send?.({ port });
}

async function runBackend(): Promise<void> {
  const body = Buffer.from('ok\n');
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-length': body.length }); res.end(body); });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => announce((server.address() as { port: number }).port));
}

async function runProxy(target: number): Promise<void> {
  const proxy = new ServiceProxy({ logger: silentLogger, rand: seededRand(1), now: () => Date.now() });
  await proxy.apply([{ key: 'bench/web:80', listen: { host: '127.0.0.1', port: 0 }, groups: [{ weight: 1, endpoints: [{ ip: '127.0.0.1', port: target }] }] }]);
  announce(proxy.address('bench/web:80')!.port);
}

function child(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = fork(fileURLToPath(import.meta.url), args, { execArgv: process.execArgv, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    proc.once('message', (m) => resolve({ proc, port: (m as { port: number }).port }));
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

interface Result { requests: number; errors: number; seconds: number; p50: number; p99: number; max: number }
interface Raw { latencies: number[]; errors: number; seconds: number }

function summarize(runs: Raw[]): Result {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    seconds: runs.reduce((s, r) => s + r.seconds, 0),
    p50: q(0.5), p99: q(0.99), max: latencies.at(-1) ?? NaN,
  };
}

/** `concurrency` loops, each sending requests back to back on a kept-alive socket. */
async function load(port: number, seconds: number, concurrency: number): Promise<Raw> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const one = (): Promise<void> => new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => { latencies.push(performance.now() - t0); resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end();
  });
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < end) await one(); }));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return { latencies, errors, seconds: elapsed };
}

async function main(): Promise<void> {
  const seconds = Number(values.duration);
  const concurrency = Number(values.concurrency);
  const rounds = Number(values.rounds);
  const backend = await child(['--role', 'backend']);
  const proxy = await child(['--role', 'proxy', '--target', String(backend.port)]);
  try {
    await load(backend.port, 1, concurrency); // warm-up
    await load(proxy.port, 1, concurrency);
    const directRuns: Raw[] = [];
    const proxiedRuns: Raw[] = [];
    for (let i = 0; i < rounds; i++) {
      directRuns.push(await load(backend.port, seconds, concurrency));
      proxiedRuns.push(await load(proxy.port, seconds, concurrency));
    }
    const direct = summarize(directRuns);
    const proxied = summarize(proxiedRuns);
    const row = (name: string, r: Result) =>
      `| ${name} | ${(r.requests / r.seconds).toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(2)} | ${r.errors} |`;
    const lines = [
      `proxy benchmark: keep-alive HTTP GET, ${concurrency} concurrent connections, ${rounds} alternating rounds of ${seconds}s per path, loopback, Node ${process.version}`,
      '',
      '| path | requests/s | p50 ms | p99 ms | max ms | errors |',
      '|---|---|---|---|---|---|',
      row('direct to backend', direct),
      row('through ServiceProxy', proxied),
      '',
      `added p99 latency: ${(proxied.p99 - direct.p99).toFixed(2)} ms; added p50 latency: ${(proxied.p50 - direct.p50).toFixed(2)} ms; throughput through the proxy: ${((proxied.requests / proxied.seconds) / (direct.requests / direct.seconds) * 100).toFixed(0)}% of direct`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    backend.proc.kill();
    proxy.proc.kill();
  }
}

if (values.role === 'backend') await runBackend();
else if (values.role === 'proxy') await runProxy(Number(values.target));
else await main();
