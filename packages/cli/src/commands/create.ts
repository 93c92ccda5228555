/** `shoal create job NAME --from=cronjob/NAME`: run a CronJob's job now. */
import type { CommandModule } from 'yargs';
import type { CronJob, Job } from '@shoal/api';
import type { CommandContext, GlobalFlags } from '../context.js';
import { CliError } from '../errors.js';
import { parseRef } from '../kinds.js';

interface CreateJobArgs extends GlobalFlags { name: string; from: string }

/** The Job a CronJob would start, made by hand (as kubectl does: annotated, owned by the CronJob). */
export function jobFromCronJob(cj: CronJob, name: string): Job {
  const template = cj.spec!.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace ?? 'default',
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(template.spec),
  };
}

export function createCommand(ctx: CommandContext): CommandModule<GlobalFlags, GlobalFlags> {
  const job: CommandModule<GlobalFlags, CreateJobArgs> = {
    command: 'job <name>',
    describe: 'Create a Job from a CronJob\'s template: create job NAME --from=cronjob/NAME',
    builder: (y) => y
      .positional('name', { type: 'string', describe: 'name of the new job' })
      .option('from', { type: 'string', demandOption: 'give --from=cronjob/NAME', describe: 'cronjob/NAME to take the job template from' }) as never,
    handler: async (argv) => {
      const { info, name } = parseRef(argv.from);
      if (info.kind !== 'CronJob') throw new CliError(`--from must name a cronjob (cronjob/NAME), not ${info.plural}`);
      const client = ctx.client(argv);
      const cj = await client.get<CronJob>('CronJob', name, { namespace: ctx.namespace(argv) });
      await client.create(jobFromCronJob(cj, argv.name));
      ctx.out(`job.batch/${argv.name} created\n`);
    },
  };
  return {
    command: 'create',
    describe: 'Create an object from the command line (create job NAME --from=cronjob/NAME)',
    builder: (y) => y.command(job as never).demandCommand(1, 'give what to create: job') as never,
    handler: () => {},
  };
}
