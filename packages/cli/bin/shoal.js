#!/usr/bin/env node
// Launcher for the `shoal` command: runs the built dist/ when present, else
// the TypeScript sources through tsx (development checkouts, no build needed;
// SHOAL_FROM_SOURCE=1 forces this).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'run.js');

if (process.env.SHOAL_FROM_SOURCE === '1' || !existsSync(dist)) {
  // Ctrl-C reaches the child too; it stops its command and exits 130. Wait for it.
  process.on('SIGINT', () => {});
  const entry = join(here, '..', 'src', 'run.ts');
  const res = spawnSync(process.execPath, ['--conditions=@shoal/source', '--import', 'tsx', entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (res.error) {
    process.stderr.write(`error: cannot start the shoal sources: ${res.error.message}\n`);
    process.exit(1);
  }
  process.exit(res.status ?? 128 + (constants.signals[res.signal] ?? 1));
} else {
  const { run } = await import(pathToFileURL(dist).href);
  await run();
}
