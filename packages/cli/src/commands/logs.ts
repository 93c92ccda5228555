/** `shoal logs POD [-c C] [-f] [--tail N] [--previous]`: a container's output, through any node. */
import type { CommandModule } from 'yargs';
import type { CommandContext, GlobalFlags } from '../context.js';
import { CliError } from '../errors.js';
import { parseDuration } from '../config.js';
import { parseRef } from '../kinds.js';

interface LogsArgs extends GlobalFlags {
  pod: string;
  container?: string;
  follow: boolean;
  tail: number;
  previous: boolean;
  timestamps: boolean;
  since?: string;
}

export function logsCommand(ctx: CommandContext): CommandModule<GlobalFlags, LogsArgs> {
  return {
    command: 'logs <pod>',
    describe: 'Print the output of a container in a pod',
    builder: (y) => y
      .positional('pod', { type: 'string', describe: 'pod name (or pod/NAME)' })
      .option('container', { alias: 'c', type: 'string', describe: 'container name (needed when the pod has several)' })
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep streaming new output' })
      .option('tail', { type: 'number', default: -1, describe: 'only the last N lines (-1: all)' })
      .option('previous', { alias: 'p', type: 'boolean', default: false, describe: 'the previous, terminated instance of the container' })
      .option('timestamps', { type: 'boolean', default: false, describe: 'prefix lines with their time' })
      .option('since', { type: 'string', describe: 'only output newer than this, e.g. 10s, 5m' }) as never,
    handler: async (argv) => {
      const { info, name } = parseRef(argv.pod, 'pod');
      if (info.kind !== 'Pod') throw new CliError(`logs reads pods, not ${info.plural}`);
      const client = ctx.client(argv);
      const stream = client.logs(name, {
        namespace: ctx.namespace(argv),
        ...(argv.container ? { container: argv.container } : {}),
        follow: argv.follow,
        ...(argv.tail >= 0 ? { tailLines: argv.tail } : {}),
        previous: argv.previous,
        timestamps: argv.timestamps,
        ...(argv.since ? { sinceSeconds: Math.ceil(parseDuration(argv.since, '--since') / 1000) } : {}),
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      });
      for await (const chunk of stream) {
        if (chunk.stream === 'stderr') ctx.io.stderr.write(chunk.data.toString('utf8'));
        else ctx.io.stdout.write(chunk.data.toString('utf8'));
      }
    },
  };
}
