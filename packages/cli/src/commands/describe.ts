/** `shoal describe KIND [NAME]`: an object's fields and its recent Events. */
import type { CommandModule } from 'yargs';
import type { Event, KubeObject } from '@shoal/api';
import { InvalidError, type ShoalClient } from '@shoal/client';
import type { CommandContext, GlobalFlags } from '../context.js';
import { parseRef, resolveKind } from '../kinds.js';
import { describeText } from '../output/describe.js';
import { namespaceFor } from './common.js';

interface DescribeArgs extends GlobalFlags { kind: string; name?: string; selector?: string }

/** Events about `obj`, oldest first. Uses the server's involvedObject field selector, filtering locally too. */
export async function eventsFor(client: ShoalClient, obj: KubeObject): Promise<Event[]> {
  const namespace = obj.metadata.namespace ?? '';
  let items: Event[];
  try {
    items = (await client.listAll<Event>('Event', { namespace, fieldSelector: `involvedObject.name=${obj.metadata.name}` })).items;
  } catch (err) {
    if (!(err instanceof InvalidError)) throw err;
    items = (await client.listAll<Event>('Event', { namespace })).items; // a server without that field selector
  }
  const uid = obj.metadata.uid;
  const when = (e: Event): string => e.lastTimestamp ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
  return items
    .filter((e) => e.involvedObject.kind === obj.kind && e.involvedObject.name === obj.metadata.name && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid))
    .sort((a, b) => when(a).localeCompare(when(b)));
}

export function describeCommand(ctx: CommandContext): CommandModule<GlobalFlags, DescribeArgs> {
  return {
    command: 'describe <kind> [name]',
    describe: 'Show an object in detail, with its recent Events',
    builder: (y) => y
      .positional('kind', { type: 'string', describe: 'kind, or KIND/NAME' })
      .positional('name', { type: 'string', describe: 'object name (default: every object of the kind)' })
      .option('selector', { alias: 'l', type: 'string', describe: 'label selector when no name is given' }) as never,
    handler: async (argv) => {
      const info = resolveKindOrRef(argv.kind);
      const name = argv.name ?? info.name;
      const client = ctx.client(argv);
      const namespace = namespaceFor(info.info.namespaced, ctx.namespace(argv));
      const objects = name
        ? [await client.get(info.info.kind, name, { namespace })]
        : (await client.listAll(info.info.kind, { namespace, labelSelector: argv.selector })).items;
      const now = ctx.io.now();
      const parts: string[] = [];
      for (const obj of objects) parts.push(describeText(obj, await eventsFor(client, obj), now));
      if (parts.length === 0) ctx.err(`No resources found in ${namespace || 'the cluster'}.\n`);
      ctx.out(parts.join('\n\n'));
    },
  };
}

function resolveKindOrRef(text: string): { info: ReturnType<typeof resolveKind>; name?: string } {
  if (text.includes('/')) return parseRef(text);
  return { info: resolveKind(text) };
}
