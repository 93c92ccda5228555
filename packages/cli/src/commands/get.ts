/** `shoal get KIND [NAME...]`: tables for people, or json/yaml/name; -w to follow changes. */
import type { CommandModule } from 'yargs';
import type { KubeObject } from '@shoal/api';
import type { ShoalClient } from '@shoal/client';
import type { CommandContext, GlobalFlags } from '../context.js';
import { CliError } from '../errors.js';
import { parseRef, resolveKind, type KindInfo } from '../kinds.js';
import { ObjectTable, objectName, parseOutputFormat, printStructured, toJson, yamlText, type OutputFormat } from '../output/print.js';
import { namespaceFor, withAllNamespaces } from './common.js';

interface GetArgs extends GlobalFlags {
  kind: string;
  names: string[];
  output?: string;
  selector?: string;
  'field-selector'?: string;
  'all-namespaces': boolean;
  watch: boolean;
  'watch-only': boolean;
  headers: boolean;
  stale: boolean;
}

export function getCommand(ctx: CommandContext): CommandModule<GlobalFlags, GetArgs> {
  return {
    command: 'get <kind> [names..]',
    describe: 'List objects of a kind (pods, deployments, po, deploy, ...) or show some by name',
    builder: (y) => withAllNamespaces(y
      .positional('kind', { type: 'string', describe: 'kind: name, plural or short name (pods, po, deployment/web)' })
      .positional('names', { type: 'string', array: true, describe: 'object names (default: all)' })
      .option('output', { alias: 'o', type: 'string', describe: 'wide | json | yaml | name' })
      .option('selector', { alias: 'l', type: 'string', describe: 'label selector, e.g. app=web,tier!=db' })
      .option('field-selector', { type: 'string', describe: 'e.g. spec.nodeName=node-1,status.phase=Running' })
      .option('watch', { alias: 'w', type: 'boolean', default: false, describe: 'after listing, print changes as they happen' })
      .option('watch-only', { type: 'boolean', default: false, describe: 'print changes only, no initial list' })
      .option('headers', { type: 'boolean', default: true, describe: 'print the table header (--no-headers: omit it)' })
      .option('stale', { type: 'boolean', default: false, describe: 'read the contacted node\'s local state (no linearizable read)' })
      .example('$0 get pods -o wide', 'pods with IP and node')
      .example('$0 get deploy web -o yaml', 'one deployment as YAML')
      .example('$0 get pods -A -w', 'follow pods in every namespace')) as never,
    handler: async (argv) => {
      if (argv.kind.includes(',')) return getSeveralKinds(ctx, argv);
      let kindText = argv.kind;
      const names = [...(argv.names ?? [])];
      if (kindText.includes('/')) {
        const ref = parseRef(kindText);
        kindText = ref.info.kind;
        names.unshift(ref.name);
      }
      const info = resolveKind(kindText);
      const format = parseOutputFormat(argv.output);
      const all = argv['all-namespaces'];
      if (all && names.length > 0) throw new CliError('a name cannot be combined with --all-namespaces');
      const client = ctx.client(argv);
      const namespace = all ? '' : namespaceFor(info.namespaced, ctx.namespace(argv));
      const printer = new Printer(ctx, info, format, all && info.namespaced, argv.headers);

      let objects: KubeObject[];
      let revision: number;
      if (names.length > 0) {
        objects = [];
        for (const name of names) objects.push(await client.get(info.kind, name, { namespace, stale: argv.stale }));
        revision = Math.max(0, ...objects.map((o) => Number(o.metadata.resourceVersion ?? 0)));
      } else {
        const listed = await client.listAll(info.kind, { namespace, labelSelector: argv.selector, fieldSelector: argv['field-selector'], stale: argv.stale });
        objects = listed.items;
        revision = listed.revision;
      }
      if (!argv['watch-only']) {
        if (objects.length === 0 && (format === 'table' || format === 'wide')) {
          ctx.err(all || !info.namespaced ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
        } else {
          printer.batch(objects, names.length === 1);
        }
      }
      if (argv.watch || argv['watch-only']) await followChanges(ctx, client, info, argv, namespace, names, revision, printer);
    },
  };
}

class Printer {
  private readonly table: ObjectTable;
  constructor(private readonly ctx: CommandContext, info: KindInfo, private readonly format: OutputFormat, withNamespace: boolean, headers: boolean) {
    this.table = new ObjectTable(info.kind, format === 'wide', withNamespace, ctx.io.now, headers);
  }

  batch(objects: readonly KubeObject[], single: boolean): void {
    if (this.format === 'json' || this.format === 'yaml') this.ctx.out(printStructured(objects, this.format, single));
    else this.each(objects);
  }

  /** Print objects one by one (as watch events arrive). */
  each(objects: readonly KubeObject[]): void {
    for (const obj of objects) {
      if (this.format === 'name') this.ctx.out(`${objectName(obj)}\n`);
      else if (this.format === 'json') this.ctx.out(toJson(obj));
      else if (this.format === 'yaml') this.ctx.out(`---\n${yamlText(obj)}`);
    }
    if (this.format === 'table' || this.format === 'wide') this.ctx.out(this.table.print(objects));
  }
}

async function followChanges(ctx: CommandContext, client: ShoalClient, info: KindInfo, argv: GetArgs, namespace: string, names: string[], revision: number, printer: Printer): Promise<void> {
  const fieldSelector = [argv['field-selector'], names.length === 1 ? `metadata.name=${names[0]}` : undefined].filter(Boolean).join(',');
  const watch = client.watch(info.kind, {
    namespace,
    labelSelector: argv.selector,
    fieldSelector: fieldSelector || undefined,
    resourceVersion: revision,
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  });
  for await (const ev of watch) {
    if (!ev.object) continue;
    if (names.length > 1 && !names.includes(ev.object.metadata.name)) continue;
    printer.each([ev.object]);
  }
}

/** `get deploy,svc`: a table per kind, rows named kind/name (or one List for -o json|yaml). */
async function getSeveralKinds(ctx: CommandContext, argv: GetArgs): Promise<void> {
  if ((argv.names ?? []).length > 0 || argv.watch || argv['watch-only']) throw new CliError('names and -w need a single kind');
  const format = parseOutputFormat(argv.output);
  const all = argv['all-namespaces'];
  const client = ctx.client(argv);
  const everything: KubeObject[] = [];
  const tables: string[] = [];
  for (const text of argv.kind.split(',').filter(Boolean)) {
    const info = resolveKind(text);
    const namespace = all ? '' : namespaceFor(info.namespaced, ctx.namespace(argv));
    const { items } = await client.listAll(info.kind, { namespace, labelSelector: argv.selector, fieldSelector: argv['field-selector'], stale: argv.stale });
    for (const o of items) everything.push(o);
    if (items.length > 0 && (format === 'table' || format === 'wide')) {
      tables.push(new ObjectTable(info.kind, format === 'wide', all && info.namespaced, ctx.io.now, argv.headers, true).print(items));
    }
  }
  if (format === 'json' || format === 'yaml') return void ctx.out(printStructured(everything, format, false));
  if (format === 'name') return void ctx.out(everything.map((o) => `${objectName(o)}\n`).join(''));
  if (everything.length === 0) ctx.err('No resources found\n');
  ctx.out(tables.join('\n'));
}
