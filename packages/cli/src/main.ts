/**
 * The `shoal` command: parse arguments, run one command, return the exit
 * code. Errors become one line on stderr (the stack too with SHOAL_DEBUG=1).
 */
import yargs from 'yargs';
import { CommandContext } from './context.js';
import { formatError } from './errors.js';
import { processIO, type CliIO } from './io.js';
import { applyCommand } from './commands/apply.js';
import { clusterCommand } from './commands/cluster.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { describeCommand } from './commands/describe.js';
import { execCommand } from './commands/exec.js';
import { getCommand } from './commands/get.js';
import { logsCommand } from './commands/logs.js';
import { rolloutCommand } from './commands/rollout.js';
import { scaleCommand } from './commands/scale.js';

/** yargs reads a lone "-" as an unknown argument: join `-f -` into `--filename=-` (before any `--`). */
function joinStdinFlag(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return [...out, ...args.slice(i)];
    if ((a === '-f' || a === '--filename') && args[i + 1] === '-') {
      out.push('--filename=-');
      i++;
    } else out.push(a);
  }
  return out;
}

export async function main(args: readonly string[], io: CliIO = processIO()): Promise<number> {
  const ctx = new CommandContext(io);
  const parser = yargs()
    .scriptName('shoal')
    .usage('shoal: drive a Shoal cluster\n\nUsage: $0 <command> [options]')
    .parserConfiguration({ 'populate--': true })
    .option('server', { alias: 's', type: 'string', global: true, describe: 'API servers, host:port[,host:port...] (else SHOAL_SERVERS, ~/.shoal/config.yaml, the local 3-node cluster)' })
    .option('timeout', { type: 'string', global: true, describe: 'deadline of each request, e.g. 5s (default 10s)' })
    .option('namespace', { alias: 'n', type: 'string', global: true, describe: 'namespace (default: "default")' })
    .command(applyCommand(ctx))
    .command(getCommand(ctx))
    .command(describeCommand(ctx))
    .command(deleteCommand(ctx))
    .command(logsCommand(ctx))
    .command(execCommand(ctx))
    .command(scaleCommand(ctx))
    .command(rolloutCommand(ctx))
    .command(createCommand(ctx))
    .command(clusterCommand(ctx))
    .demandCommand(1, 'give a command (shoal --help lists them)')
    .strict()
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .version(false)
    .help()
    .alias('help', 'h')
    // Usage mistakes are reported by main as one line, not with the whole usage text.
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync(joinStdinFlag(args), {}, (_err, _argv, output) => {
      if (output) io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    });
    return ctx.exitCode;
  } catch (err) {
    const line = err instanceof UsageError ? `error: ${err.message} (see shoal --help)` : formatError(err);
    io.stderr.write(`${line}\n`);
    if (io.env['SHOAL_DEBUG'] === '1' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return ctx.exitCode > 1 ? ctx.exitCode : 1;
  } finally {
    ctx.close();
  }
}

class UsageError extends Error {
  override name = 'UsageError';
}
