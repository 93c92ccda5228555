/** `shoal create job NAME --from=cronjob/NAME`: run a CronJob's job now. */
import type { CommandModule } from 'yargs';
import type { CronJob, Job } from '@shoal/api';
import type { CommandContext, GlobalFlags } from '../context.js';
import { jobFromCronJob as scheduledJob, SCHEDULED_TIMESTAMP_ANNOTATION } from '@shoal/controllers';
import { CliError } from '../errors.js';
import { parseRef } from '../kinds.js';

interface CreateJobArgs extends GlobalFlags { name: string; from: string }

/**
 * The Job a CronJob would start, made by hand: the controller's own Job from
 * the template, marked manual (as kubectl does) instead of scheduled.
 */
export function jobFromCronJob(cj: CronJob, name: string): Job {
  const job = scheduledJob(cj, Date.now(), name);
  const annotations: Record<string, string> = { ...(job.metadata.annotations ?? {}), 'cronjob.kubernetes.io/instantiate': 'manual' };
  delete annotations[SCHEDULED_TIMESTAMP_ANNOTATION];
  return { ...job, metadata: { ...job.metadata, annotations } };
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
