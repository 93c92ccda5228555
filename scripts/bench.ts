/**
 * Benchmark dispatcher: `npm run bench -- <name> [flags]` runs
 * scripts/bench/<name>.ts, whose default export takes the remaining flags.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Bench = (argv: string[]) => Promise<void>;

const dir = fileURLToPath(new URL('./bench/', import.meta.url));
const [name, ...rest] = process.argv.slice(2);
const file = name && /^[a-z][a-z0-9-]*$/.test(name) ? `${dir}${name}.ts` : '';

if (!file || !existsSync(file)) {
  const names = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  process.stderr.write(`usage: npm run bench -- <name> [flags]\n${name ? `unknown benchmark: ${name}\n` : ''}files in scripts/bench: ${names.join(', ')}\n`);
  process.exit(2);
}

const mod = (await import(file)) as { default?: Bench };
if (typeof mod.default !== 'function') {
  process.stderr.write(`scripts/bench/${name}.ts has no default export to run\n`);
  process.exit(2);
}
await mod.default(rest);
