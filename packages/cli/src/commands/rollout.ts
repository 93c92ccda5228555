/**
 * `shoal rollout status|history|undo|pause|resume|restart KIND/NAME`.
 * Undo and restart build their updates with the controllers' own functions,
 * so the CLI and the Deployment controller agree on revisions.
 */
import type { Argv, CommandModule } from 'yargs';
import { matchesSelector, type Deployment, type KubeObject, type ObjectKey, type ObjectReader, type ReplicaSet, type PodTemplateSpec } from '@shoal/api';
import { RESTARTED_AT_ANNOTATION, RevisionNotFoundError, restartDeployment, rollbackTo, rolloutHistory } from '@shoal/controllers';
import type { ShoalClient } from '@shoal/client';
import type { CommandContext, GlobalFlags } from '../context.js';
import { parseDuration } from '../config.js';
import { CliError } from '../errors.js';
import { parseRef, resourceName, type KindInfo } from '../kinds.js';
import { yamlText } from '../output/print.js';
import { Table } from '../output/table.js';
import { rolloutState } from '../rollout-status.js';
import { readModifyWrite } from './scale.js';

interface RolloutArgs extends GlobalFlags { ref: string; name?: string; watch: boolean; revision?: number; 'to-revision'?: number }

const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const ROLLABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** An ObjectReader over objects already fetched (what the controllers' helpers read). */
function readerOver(objects: readonly KubeObject[], revision: number): ObjectReader {
  return {
    revision,
    get: <T extends KubeObject>(key: ObjectKey) => objects.find((o) => o.kind === key.kind && o.metadata.name === key.name && (o.metadata.namespace ?? '') === key.namespace) as T | undefined,
    list: <T extends KubeObject>(kind: string, opts?: { namespace?: string; labelSelector?: Parameters<typeof matchesSelector>[0] }) =>
      objects.filter((o) => o.kind === kind && (opts?.namespace === undefined || o.metadata.namespace === opts.namespace) && matchesSelector(opts?.labelSelector, o.metadata.labels)) as T[],
  };
}

async function deploymentView(client: ShoalClient, name: string, namespace: string): Promise<{ d: Deployment; view: ObjectReader; sets: ReplicaSet[] }> {
  const d = await client.get<Deployment>('Deployment', name, { namespace });
  const { items, revision } = await client.listAll<ReplicaSet>('ReplicaSet', { namespace });
  return { d, view: readerOver(items, revision), sets: items };
}

function target(argv: RolloutArgs, only?: string): { info: KindInfo; name: string } {
  const ref = argv.name ? parseRef(`${argv.ref}/${argv.name}`) : parseRef(argv.ref);
  if (!ROLLABLE.has(ref.info.kind) || (only && ref.info.kind !== only)) throw new CliError(`rollout ${only ? `of ${only.toLowerCase()}s only` : 'works on deployments, statefulsets and daemonsets'}, not ${ref.info.plural}`);
  return ref;
}

const refArgs = <T>(y: Argv<T>): Argv<T> => y
  .positional('ref', { type: 'string', describe: 'KIND/NAME, e.g. deployment/web' })
  .positional('name', { type: 'string' });

function sub(command: string, describe: string, builder: (y: Argv<GlobalFlags>) => Argv<GlobalFlags>, handler: (argv: RolloutArgs) => Promise<void>): CommandModule<GlobalFlags, RolloutArgs> {
  return { command: `${command} <ref> [name]`, describe, builder: ((y: Argv<GlobalFlags>) => builder(refArgs(y))) as never, handler };
}

export function rolloutCommand(ctx: CommandContext): CommandModule<GlobalFlags, GlobalFlags> {
  const status = sub('status', 'Show a rollout\'s progress until it completes or fails', (y) => y.option('watch', { alias: 'w', type: 'boolean', default: true, describe: 'keep watching until done (--no-watch: print once)' }), async (argv) => {
    const { info, name } = target(argv);
    const client = ctx.client(argv);
    const namespace = ctx.namespace(argv);
    let obj = await client.get(info.kind, name, { namespace });
    let last = '';
    const report = (o: KubeObject): boolean => {
      const state = rolloutState(o);
      if (state.failed) throw new CliError(state.message);
      if (state.message !== last) ctx.out(`${state.message}\n`);
      last = state.message;
      return state.done;
    };
    if (report(obj) || !argv.watch) return;
    // An explicit --timeout also bounds the whole wait, as kubectl's does.
    const limit = new AbortController();
    const timer = argv.timeout !== undefined ? setTimeout(() => limit.abort(), parseDuration(argv.timeout, '--timeout')) : undefined;
    const signals = [limit.signal, ...(ctx.io.signal ? [ctx.io.signal] : [])];
    try {
      const watch = client.watch(info.kind, { namespace, fieldSelector: `metadata.name=${name}`, resourceVersion: Number(obj.metadata.resourceVersion ?? 0), signal: AbortSignal.any(signals) });
      for await (const ev of watch) {
        if (ev.type === 'DELETED') throw new CliError(`${info.kind.toLowerCase()} "${name}" was deleted`);
        if (!ev.object) continue;
        obj = ev.object;
        if (report(obj)) return;
      }
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (limit.signal.aborted) throw new CliError(`timed out waiting for the rollout of ${info.kind.toLowerCase()} "${name}" (--timeout ${argv.timeout})`);
  });

  const history = sub('history', 'List a deployment\'s revisions (--revision N shows one)', (y) => y.option('revision', { type: 'number', describe: 'show the pod template of this revision' }), async (argv) => {
    const { name } = target(argv, 'Deployment');
    const { d, view, sets } = await deploymentView(ctx.client(argv), name, ctx.namespace(argv));
    const revisions = rolloutHistory(d, view).reverse();
    if (argv.revision !== undefined) {
      const r = revisions.find((x) => x.revision === argv.revision);
      if (!r) throw new CliError(`deployment "${name}" has no revision ${argv.revision}`);
      ctx.out(`deployment.apps/${name} with revision #${r.revision}\n${yamlText({ 'Pod Template': r.template })}`);
      return;
    }
    const cause = (rsName: string): string => sets.find((s) => s.metadata.name === rsName)?.metadata.annotations?.[CHANGE_CAUSE] ?? '<none>';
    ctx.out(`deployment.apps/${name}\n` + new Table(['REVISION', 'CHANGE-CAUSE']).render(revisions.map((r) => [String(r.revision), cause(r.replicaSet)])));
  });

  const undo = sub('undo', 'Roll a deployment back to the previous revision (or --to-revision N)', (y) => y.option('to-revision', { type: 'number', default: 0, describe: 'revision to go back to (0: the previous one)' }), async (argv) => {
    const { name } = target(argv, 'Deployment');
    const client = ctx.client(argv);
    const { d, view } = await deploymentView(client, name, ctx.namespace(argv));
    let action;
    try {
      action = rollbackTo(d, argv['to-revision'] ?? 0, view);
    } catch (err) {
      if (err instanceof RevisionNotFoundError) throw new CliError(err.message, 1, { cause: err });
      throw err;
    }
    if (action.op !== 'update') throw new CliError(`unexpected rollback action ${action.op}`);
    await client.update(action.object);
    ctx.out(`deployment.apps/${name} rolled back\n`);
  });

  const setPaused = (paused: boolean) => async (argv: RolloutArgs): Promise<void> => {
    const { info, name } = target(argv, 'Deployment');
    const done = await readModifyWrite<Deployment>(ctx.client(argv), info, name, ctx.namespace(argv), (d) => {
      if ((d.spec?.paused ?? false) === paused) return undefined;
      return { ...d, spec: { ...d.spec!, paused } };
    });
    if (!done) throw new CliError(`deployment.apps/${name} is ${paused ? 'already paused' : 'not paused'}`);
    ctx.out(`deployment.apps/${name} ${paused ? 'paused' : 'resumed'}\n`);
  };
  const pause = sub('pause', 'Pause a deployment\'s rollout', (y) => y, setPaused(true));
  const resume = sub('resume', 'Resume a paused deployment', (y) => y, setPaused(false));

  const restart = sub('restart', 'Replace every pod of a deployment, statefulset or daemonset, following its update strategy', (y) => y, async (argv) => {
    const { info, name } = target(argv);
    const now = ctx.io.now();
    await readModifyWrite<KubeObject<{ template: PodTemplateSpec }>>(ctx.client(argv), info, name, ctx.namespace(argv), (obj) => {
      if (obj.kind === 'Deployment') {
        const action = restartDeployment(obj as Deployment, now.getTime());
        return action.op === 'update' ? (action.object as KubeObject<{ template: PodTemplateSpec }>) : undefined;
      }
      const t = obj.spec!.template;
      const annotations = { ...(t.metadata?.annotations ?? {}), [RESTARTED_AT_ANNOTATION]: now.toISOString() };
      return { ...obj, spec: { ...obj.spec!, template: { ...t, metadata: { ...(t.metadata ?? {}), annotations } } } };
    });
    ctx.out(`${resourceName(info.kind)}/${name} restarted\n`);
  });

  return {
    command: 'rollout',
    describe: 'Follow and control rollouts: status, history, undo, pause, resume, restart',
    builder: (y) => y.command(status as never).command(history as never).command(undo as never).command(pause as never).command(resume as never).command(restart as never).demandCommand(1, 'give a rollout command: status, history, undo, pause, resume or restart') as never,
    handler: () => {},
  };
}
