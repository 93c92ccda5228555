import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryShoalServer } from '@shoal/client/testing';

const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));

/** Run bin/shoal.js as its own process (from sources); killed by PID at teardown if still running. */
function runBin(t: Test, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SHOAL_FROM_SOURCE: '1', HOME: '/nonexistent-home', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => { if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL'); });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('the shoal launcher runs the CLI and exits with its code', async (t) => {
  const server = new MemoryShoalServer({ exec: (req) => ({ stdout: `${req.command.join(' ')}\n`, exitCode: Number(req.command[1] ?? 0) }) });
  await server.start();
  t.teardown(() => server.stop());
  server.store.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  const env = { SHOAL_SERVERS: server.address };

  const exec = await runBin(t, ['exec', 'p', '--', 'exit', '7'], env);
  t.equal(exec.code, 7, 'exec exit code becomes the process exit code');
  t.equal(exec.stdout, 'exit 7\n');

  const bad = await runBin(t, ['get', 'pod', 'missing'], env);
  t.equal(bad.code, 1);
  t.equal(bad.stderr, 'Error from server (NotFound): Pod "missing" not found in namespace "default"\n');
});
