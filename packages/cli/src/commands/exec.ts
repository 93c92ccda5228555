/** `shoal exec POD [-c C] -- CMD...`: run a command in a container; its exit code becomes ours. */
import type { CommandModule } from 'yargs';
import type { CommandContext, GlobalFlags } from '../context.js';
import { CliError } from '../errors.js';
import { parseRef } from '../kinds.js';

interface ExecArgs extends GlobalFlags {
  pod: string;
  container?: string;
  stdin: boolean;
  '--'?: (string | number)[];
  cmd?: (string | number)[];
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

export function execCommand(ctx: CommandContext): CommandModule<GlobalFlags, ExecArgs> {
  return {
    command: 'exec <pod> [cmd..]',
    describe: 'Run a command in a container of a pod: shoal exec POD [-c C] -- CMD [ARGS...]',
    builder: (y) => y
      .positional('pod', { type: 'string', describe: 'pod name (or pod/NAME)' })
      .option('container', { alias: 'c', type: 'string', describe: 'container name (needed when the pod has several)' })
      .option('stdin', { alias: 'i', type: 'boolean', default: false, describe: 'send our standard input to the command' })
      .example('$0 exec web-0 -- cat /etc/hostname', 'print a file of the container') as never,
    handler: async (argv) => {
      const { info, name } = parseRef(argv.pod, 'pod');
      if (info.kind !== 'Pod') throw new CliError(`exec runs in pods, not ${info.plural}`);
      const command = [...(argv['--'] ?? []), ...(argv.cmd ?? [])].map(String);
      if (command.length === 0) throw new CliError('give the command after --, e.g. shoal exec POD -- ls /');
      const client = ctx.client(argv);
      const res = await client.exec(name, command, {
        namespace: ctx.namespace(argv),
        ...(argv.container ? { container: argv.container } : {}),
        ...(argv.stdin ? { stdin: await readAll(ctx.io.stdin) } : {}),
      });
      if (res.stdout.length) ctx.io.stdout.write(res.stdout.toString('utf8'));
      if (res.stderr.length) ctx.io.stderr.write(res.stderr.toString('utf8'));
      ctx.exitCode = res.exitCode;
    },
  };
}
