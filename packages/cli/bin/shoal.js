#!/usr/bin/env node
// Launcher for the `shoal` command: runs the built dist/ when present, else
// the TypeScript sources through tsx (development checkouts, no build needed).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'run.js');
const fromSource = process.env.SHOAL_FROM_SOURCE === '1' || !existsSync(dist);

if (fromSource) {
  // Re-run this script's job from sources with tsx and the @shoal/source condition.
  const entry = join(here, '..', 'src', 'run.ts');
  const res = spawnSync(process.execPath, ['--conditions=@shoal/source', '--import', 'tsx', entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(res.status ?? (res.signal ? 128 + 1 : 1));
} else {
  const { run } = await import(join(here, '..', 'dist', 'run.js'));
  await run();
}
