#!/usr/bin/env node
// shoald launcher: runs the built daemon (npx tsc -b builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write(`shoald: ${main} is missing; build first with: npx tsc -b\n`);
  process.exit(1);
}
await import(main);
