import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Test } from 'tap';
import { MemoryObjectStore, MemoryShoalServer, type MemoryShoalServerOptions } from '@shoal/client/testing';
import { BufferOutput, main } from '../src/index.js';

export const NOW = new Date('2026-01-01T12:00:00Z');

export interface RunResult { code: number; stdout: string; stderr: string }

export interface RunOptions {
  stdin?: string;
  env?: Record<string, string>;
  cwd?: string;
  home?: string;
  signal?: AbortSignal;
  now?: Date;
}

/** Run the CLI in-process against `server` (SHOAL_SERVERS), capturing its output. */
export async function shoal(server: MemoryShoalServer | undefined, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const stdout = new BufferOutput();
  const stderr = new BufferOutput();
  const code = await main(args, {
    stdout,
    stderr,
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    env: { ...(server ? { SHOAL_SERVERS: server.address } : {}), ...opts.env },
    cwd: opts.cwd ?? tmpdir(),
    home: opts.home ?? '/nonexistent-home',
    now: () => opts.now ?? NOW,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export async function startServer(t: Test, opts: MemoryShoalServerOptions = {}): Promise<MemoryShoalServer> {
  // Objects get creation times one minute before NOW, so AGE columns are stable.
  const server = new MemoryShoalServer({ store: new MemoryObjectStore(() => new Date(NOW.getTime() - 60_000)), ...opts });
  await server.start();
  t.teardown(() => server.stop());
  return server;
}

/** A temp folder with these files, removed at teardown. */
export function tempFiles(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
