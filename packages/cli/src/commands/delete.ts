/** `shoal delete KIND NAME... | -f FILE`: delete objects, with cascade and grace period. */
import type { CommandModule } from 'yargs';
import type { PropagationPolicy } from '@shoal/api';
import { NotFoundError } from '@shoal/client';
import type { CommandContext, GlobalFlags } from '../context.js';
import { CliError, formatError } from '../errors.js';
import { isKnownKind, parseRef, resolveKind, type KindInfo } from '../kinds.js';
import { readManifests } from '../manifests.js';
import { namespaceFor } from './common.js';

interface DeleteArgs extends GlobalFlags {
  kind?: string;
  names: string[];
  filename?: string[];
  selector?: string;
  cascade: string;
  'grace-period': number;
  now: boolean;
  'ignore-not-found': boolean;
}

const CASCADE: Record<string, PropagationPolicy> = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan', true: 'Background', false: 'Orphan' };

export function deleteCommand(ctx: CommandContext): CommandModule<GlobalFlags, DeleteArgs> {
  return {
    command: 'delete [kind] [names..]',
    describe: 'Delete objects by kind and name, by label, or from manifests',
    builder: (y) => y
      .positional('kind', { type: 'string', describe: 'kind, or KIND/NAME' })
      .positional('names', { type: 'string', array: true })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'delete the objects of these manifests' })
      .option('selector', { alias: 'l', type: 'string', describe: 'delete every object of the kind matching this label selector' })
      .option('cascade', { type: 'string', default: 'background', choices: ['background', 'foreground', 'orphan', 'true', 'false'], describe: 'what happens to owned objects' })
      .option('grace-period', { type: 'number', default: -1, describe: 'seconds a pod gets to stop (-1: its own terminationGracePeriodSeconds, 0: at once)' })
      .option('now', { type: 'boolean', default: false, describe: 'same as --grace-period=1' })
      .option('ignore-not-found', { type: 'boolean', default: false, describe: 'succeed when an object is already gone' }) as never,
    handler: async (argv) => {
      const client = ctx.client(argv);
      const grace = argv.now ? 1 : argv['grace-period'];
      const policy = CASCADE[argv.cascade]!;
      const targets: { info: KindInfo; name: string; namespace: string }[] = [];
      const ns = ctx.namespace(argv);
      if (argv.filename?.length) {
        if (argv.kind) throw new CliError('give either -f or KIND NAME, not both');
        for (const { object } of await readManifests(argv.filename, { cwd: ctx.io.cwd, stdin: ctx.io.stdin })) {
          if (!isKnownKind(object.kind)) throw new CliError(`unknown kind ${JSON.stringify(object.kind)} in manifest`);
          const info = resolveKind(object.kind);
          targets.push({ info, name: object.metadata.name, namespace: namespaceFor(info.namespaced, object.metadata.namespace || ns) });
        }
      } else {
        if (!argv.kind) throw new CliError('give KIND NAME..., KIND/NAME, KIND -l SELECTOR, or -f FILE');
        let info: KindInfo;
        const names = [...(argv.names ?? [])];
        if (argv.kind.includes('/')) {
          const ref = parseRef(argv.kind);
          info = ref.info;
          names.unshift(ref.name);
        } else info = resolveKind(argv.kind);
        const namespace = namespaceFor(info.namespaced, ns);
        if (argv.selector) {
          if (names.length) throw new CliError('give names or -l, not both');
          for (const obj of (await client.listAll(info.kind, { namespace, labelSelector: argv.selector })).items) targets.push({ info, name: obj.metadata.name, namespace });
          if (targets.length === 0) ctx.err('No resources found\n');
        } else {
          if (names.length === 0) throw new CliError(`give the name of the ${info.kind} to delete (or -l SELECTOR)`);
          for (const name of names) targets.push({ info, name, namespace });
        }
      }
      let failed = 0;
      for (const t of targets) {
        try {
          await client.delete(t.info.kind, t.name, { namespace: t.namespace, propagationPolicy: policy, ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}) });
          ctx.out(`${t.info.kind.toLowerCase()} "${t.name}" deleted\n`);
        } catch (err) {
          if (err instanceof NotFoundError && argv['ignore-not-found']) continue;
          ctx.err(`${formatError(err)}\n`);
          failed++;
        }
      }
      if (failed > 0) ctx.exitCode = 1;
    },
  };
}
