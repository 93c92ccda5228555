/** Process entry: run main with the real stdio, stop long commands on Ctrl-C, exit with its code. */
import { pathToFileURL } from 'node:url';
import { main } from './main.js';
import { processIO } from './io.js';

export async function run(): Promise<void> {
  const abort = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    abort.abort();
  });
  const code = await main(process.argv.slice(2), processIO(abort.signal));
  process.exitCode = interrupted && code === 0 ? 130 : code;
}

// Run when executed directly (the bin launcher runs this file through tsx).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
