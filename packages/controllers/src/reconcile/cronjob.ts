/**
 * CronJob: creates a Job for each scheduled time, evaluated by the leader.
 * The Job for the run at minute M is named `<cronjob>-<M>` (minutes since the
 * epoch), so a leader change neither skips nor doubles a run: a new leader
 * computes the same latest run from `lastScheduleTime` and finds the Job
 * already there. `lastScheduleTime` is advanced only once the Job exists in
 * the view, so a crash between the two writes loses nothing.
 */
import type { Action, CronJob, CronJobStatus, Job, ObjectKey, ObjectReader } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { CronParseError, lastMissedRun, nextRun, parseCron, UnknownTimeZoneError, checkTimeZone, type CronSchedule } from './cron.js';
import { eventAction } from './util/events.js';
import { deepCopy, deepEqual } from './util/hash.js';
import { isControlledBy, ownerRefTo } from './util/owners.js';
import { createdAt, isTerminating } from './util/pods.js';
import { iso, ms } from './util/time.js';
import { isJobFinished } from './job.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MINUTE = 60_000;

export function jobNameFor(cronJob: string, scheduledMs: number): string {
  return `${cronJob}-${Math.floor(scheduledMs / MINUTE)}`;
}

export function jobFromCronJob(cj: CronJob, scheduledMs: number, name = jobNameFor(cj.metadata.name, scheduledMs)): Job {
  const t = deepCopy(cj.spec!.jobTemplate);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace ?? 'default',
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: iso(scheduledMs) },
      ownerReferences: [ownerRefTo(cj)],
    },
    spec: t.spec,
  };
}

function cleanup(jobs: readonly Job[], limit: number): Action[] {
  const sorted = [...jobs].sort((a, b) => createdAt(a) - createdAt(b) || (a.metadata.name < b.metadata.name ? -1 : 1));
  return sorted.slice(0, Math.max(0, sorted.length - limit)).map((j) => ({ op: 'delete', key: { kind: 'Job', namespace: j.metadata.namespace ?? 'default', name: j.metadata.name }, uid: j.metadata.uid, propagationPolicy: 'Background' }));
}

export function reconcileCronJob(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const cj = view.get<CronJob>(key);
  if (!cj || !cj.spec || isTerminating(cj)) return { actions: [] };
  const spec = cj.spec;
  const ns = cj.metadata.namespace ?? 'default';
  const jobs = view.list<Job>('Job', { namespace: ns }).filter((j) => isControlledBy(j, cj) && !isTerminating(j));
  const active = jobs.filter((j) => !isJobFinished(j));
  const actions: Action[] = [];

  // History limits.
  actions.push(...cleanup(jobs.filter((j) => isJobFinished(j) === 'Complete'), spec.successfulJobsHistoryLimit ?? 3));
  actions.push(...cleanup(jobs.filter((j) => isJobFinished(j) === 'Failed'), spec.failedJobsHistoryLimit ?? 1));

  const lastScheduled = ms(cj.status?.lastScheduleTime);
  const status: CronJobStatus = { ...(cj.status ?? {}) };
  const successes = jobs.filter((j) => isJobFinished(j) === 'Complete').map((j) => ms(j.status?.completionTime) ?? 0);
  if (successes.length) status.lastSuccessfulTime = iso(Math.max(...successes, ms(cj.status?.lastSuccessfulTime) ?? 0));

  let schedule: CronSchedule;
  const tz = spec.timeZone ?? 'UTC';
  try {
    schedule = parseCron(spec.schedule);
    checkTimeZone(tz);
  } catch (err) {
    if (!(err instanceof CronParseError || err instanceof UnknownTimeZoneError)) throw err;
    actions.push(...eventAction(view, ctx, cj, 'Warning', err instanceof CronParseError ? 'InvalidSchedule' : 'UnknownTimeZone', err.message));
    return { actions: withStatus(actions, cj, status, active) };
  }

  const since = lastScheduled ?? ms(cj.metadata.creationTimestamp) ?? ctx.now;
  const earliest = spec.startingDeadlineSeconds !== undefined ? Math.max(since, ctx.now - spec.startingDeadlineSeconds * 1000 - MINUTE) : since;
  const missed = spec.suspend ? undefined : lastMissedRun(schedule, earliest, ctx.now, tz);
  const next = nextRun(schedule, ctx.now, tz);
  const requeue = next !== undefined ? { requeueAfterMs: Math.max(1, next - ctx.now) } : {};

  if (missed) {
    const run = missed.at;
    const name = jobNameFor(cj.metadata.name, run);
    const existing = view.get<Job>({ kind: 'Job', namespace: ns, name });
    if (existing) {
      // The run happened (perhaps under the previous leader): record it.
      status.lastScheduleTime = iso(run);
    } else if (spec.startingDeadlineSeconds !== undefined && ctx.now > run + spec.startingDeadlineSeconds * 1000) {
      actions.push(...eventAction(view, ctx, cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${iso(run)}`));
    } else if ((spec.concurrencyPolicy ?? 'Allow') === 'Forbid' && active.length > 0) {
      // Not run and not recorded: it runs when the active job ends, if still within the deadline.
      actions.push(...eventAction(view, ctx, cj, 'Normal', 'JobAlreadyActive', `Not starting job because prior execution is running and concurrency policy is Forbid (run at ${iso(run)})`));
    } else {
      if ((spec.concurrencyPolicy ?? 'Allow') === 'Replace') {
        for (const j of active) {
          actions.push({ op: 'delete', key: { kind: 'Job', namespace: ns, name: j.metadata.name }, uid: j.metadata.uid, propagationPolicy: 'Background' });
          actions.push(...eventAction(view, ctx, cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`));
        }
      }
      if (missed.count > 1) actions.push(...eventAction(view, ctx, cj, 'Warning', 'TooManyMissedTimes', `${missed.count} missed start times; running only the latest, ${iso(run)}`));
      actions.push({ op: 'create', object: jobFromCronJob(cj, run, name) });
      actions.push(...eventAction(view, ctx, cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`));
      // lastScheduleTime follows once the Job is in the view (next pass).
      return { actions: withStatus(actions, cj, status, active), requeueAfterMs: 1 };
    }
  }
  return { actions: withStatus(actions, cj, status, active), ...requeue };
}

function withStatus(actions: Action[], cj: CronJob, status: CronJobStatus, active: readonly Job[]): Action[] {
  const next: CronJobStatus = { ...status };
  const refs = active.map((j) => ({ kind: 'Job', name: j.metadata.name, namespace: j.metadata.namespace ?? 'default', uid: j.metadata.uid ?? '' })).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (refs.length) next.active = refs;
  else delete next.active;
  if (!deepEqual(next, cj.status ?? {})) actions.push({ op: 'updateStatus', object: { ...cj, status: next } });
  return actions;
}
