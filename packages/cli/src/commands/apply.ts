/** `shoal apply -f FILE|DIR|-`: create or update every object of the manifests. */
import type { CommandModule } from 'yargs';
import { formatError, CliError } from '../errors.js';
import type { CommandContext, GlobalFlags } from '../context.js';
import { isKnownKind, resourceName } from '../kinds.js';
import { describeSource, readManifests } from '../manifests.js';
import { KINDS } from '@shoal/api';

interface ApplyArgs extends GlobalFlags { filename: string[]; recursive: boolean; output?: string }

export function applyCommand(ctx: CommandContext): CommandModule<GlobalFlags, ApplyArgs> {
  return {
    command: 'apply',
    describe: 'Create or update objects from YAML or JSON manifests (files, folders, or - for stdin)',
    builder: (y) => y
      .option('filename', { alias: 'f', type: 'string', array: true, demandOption: 'give at least one -f FILE|DIR|-', describe: 'manifest file, folder, or - for stdin (repeatable)' })
      .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'also read sub-folders of -f folders' })
      .option('output', { alias: 'o', type: 'string', choices: ['name'], describe: 'print only kind/name' })
      .example('$0 apply -f examples/', 'apply every manifest in a folder')
      .example('cat web.yaml | $0 apply -f -', 'apply from stdin') as never,
    handler: async (argv) => {
      const manifests = await readManifests(argv.filename, { cwd: ctx.io.cwd, stdin: ctx.io.stdin, recursive: argv.recursive });
      if (manifests.length === 0) throw new CliError('no objects passed to apply');
      const client = ctx.client(argv);
      const flagNs = argv.namespace;
      let failed = 0;
      for (const { object, source } of manifests) {
        const info = isKnownKind(object.kind) ? KINDS[object.kind] : undefined;
        if (info?.namespaced) {
          const ns = object.metadata.namespace;
          if (flagNs && ns && ns !== flagNs) {
            ctx.err(`error: ${describeSource(source)}: the namespace of the object (${ns}) does not match --namespace ${flagNs}\n`);
            failed++;
            continue;
          }
          object.metadata.namespace = ns || ctx.namespace(argv);
        }
        try {
          const { result } = await client.apply(object);
          ctx.out(argv.output === 'name' ? `${resourceName(object.kind)}/${object.metadata.name}\n` : `${resourceName(object.kind)}/${object.metadata.name} ${result}\n`);
        } catch (err) {
          // One line per failed object, naming where it came from; the others still apply.
          const line = formatError(err);
          const colon = line.indexOf(': ');
          ctx.err(`${line.slice(0, colon)}: ${describeSource(source)}: ${object.kind} ${JSON.stringify(object.metadata.name)}: ${line.slice(colon + 2)}\n`);
          failed++;
        }
      }
      if (failed > 0) ctx.exitCode = 1;
    },
  };
}
