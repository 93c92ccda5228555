/**
 * Benchmark dispatcher: `npm run bench -- <name> [flags]` runs
 * scripts/bench/<name>.ts. A bench either exports a default function taking
 * the remaining flags, or runs at import and reads `process.argv.slice(2)`
 * (the dispatcher removes `<name>` from argv first, so both see only flags).
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Bench = (argv: string[]) => Promise<void>;

const dir = fileURLToPath(new URL('./bench/', import.meta.url));
const name = process.argv[2];
const file = name && /^[a-z][a-z0-9-]*$/.test(name) ? `${dir}${name}.ts` : '';

if (!file || !existsSync(file)) {
  const names = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  process.stderr.write(`usage: npm run bench -- <name> [flags]\n${name ? `unknown benchmark: ${name}\n` : ''}files in scripts/bench: ${names.join(', ')}\n`);
  process.exit(2);
}

process.argv.splice(2, 1);
const mod = (await import(pathToFileURL(file).href)) as { default?: Bench };
if (typeof mod.default === 'function') await mod.default(process.argv.slice(2));
