/** `shoal scale KIND/NAME --replicas N`. */
import type { CommandModule } from 'yargs';
import type { KubeObject } from '@shoal/api';
import type { ShoalClient } from '@shoal/client';
import type { CommandContext, GlobalFlags } from '../context.js';
import { CliError } from '../errors.js';
import { parseRef, resourceName, type KindInfo } from '../kinds.js';

interface ScaleArgs extends GlobalFlags { ref: string; name?: string; replicas: number; 'current-replicas'?: number }

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

/** Read, change, write; on a conflict read again (another writer got there first). */
export function readModifyWrite<T extends KubeObject>(client: ShoalClient, info: KindInfo, name: string, namespace: string, change: (obj: T) => T | undefined): Promise<T | undefined> {
  return client.modify<T>(info.kind, name, change, { namespace });
}

export function scaleCommand(ctx: CommandContext): CommandModule<GlobalFlags, ScaleArgs> {
  return {
    command: 'scale <ref> [name]',
    describe: 'Set the replicas of a deployment, replicaset or statefulset',
    builder: (y) => y
      .positional('ref', { type: 'string', describe: 'KIND/NAME, or KIND followed by NAME' })
      .positional('name', { type: 'string' })
      .option('replicas', { type: 'number', demandOption: 'give --replicas N', describe: 'the new number of replicas' })
      .option('current-replicas', { type: 'number', describe: 'only scale if the current replicas are this' })
      .example('$0 scale deployment/web --replicas 6', '') as never,
    handler: async (argv) => {
      const { info, name } = argv.name ? { ...parseRef(`${argv.ref}/${argv.name}`) } : parseRef(argv.ref);
      if (!SCALABLE.has(info.kind)) throw new CliError(`${info.plural} cannot be scaled (use a deployment, replicaset or statefulset)`);
      if (!Number.isInteger(argv.replicas) || argv.replicas < 0) throw new CliError('--replicas must be a whole number >= 0');
      const client = ctx.client(argv);
      await readModifyWrite<KubeObject<{ replicas?: number }>>(client, info, name, ctx.namespace(argv), (obj) => {
        const current = obj.spec?.replicas ?? 1;
        const expected = argv['current-replicas'];
        if (expected !== undefined && expected !== current) throw new CliError(`expected ${expected} replicas but ${info.kind.toLowerCase()} ${name} has ${current}`);
        return { ...obj, spec: { ...obj.spec, replicas: argv.replicas } };
      });
      ctx.out(`${resourceName(info.kind)}/${name} scaled\n`);
    },
  };
}
