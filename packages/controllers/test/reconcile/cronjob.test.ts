import t from 'tap';
import type { CronJob, Job } from '@shoal/api';
import { jobNameFor, lastMissedRun, nextRun, parseCron, reconcileCronJob, CronParseError } from '../../src/index.js';
import { controllerConfig } from '../../src/index.js';
import { World } from '../fixtures/world.js';
import { cronJob } from '../fixtures/objects.js';

const at = (s: string): number => Date.parse(s);

t.test('cron parsing and next runs', async (t) => {
  const every15 = parseCron('*/15 * * * *');
  t.equal(nextRun(every15, at('2026-01-01T00:00:00Z')), at('2026-01-01T00:15:00Z'));
  t.equal(nextRun(parseCron('0 9 * * mon-fri'), at('2026-01-02T10:00:00Z')), at('2026-01-05T09:00:00Z'), 'Friday 10:00 -> Monday 09:00');
  t.equal(nextRun(parseCron('@monthly'), at('2026-01-15T00:00:00Z')), at('2026-02-01T00:00:00Z'));
  t.equal(nextRun(parseCron('0 0 29 feb *'), at('2026-03-01T00:00:00Z')), at('2028-02-29T00:00:00Z'), 'leap day');
  t.equal(nextRun(parseCron('0 0 13 * 5'), at('2026-01-01T00:00:00Z')), at('2026-01-02T00:00:00Z'), 'day-of-month OR day-of-week (Fri 2 Jan)');
  t.equal(nextRun(parseCron('0 0 * * 7'), at('2026-01-01T00:00:00Z')), at('2026-01-04T00:00:00Z'), '7 is Sunday');
  t.equal(nextRun(parseCron('30 2 * * *'), at('2026-01-01T00:00:00Z'), 'Asia/Kolkata'), at('2026-01-01T21:00:00Z'), 'half-hour zone');
  t.equal(nextRun(parseCron('0 9 * * *'), at('2026-07-01T00:00:00Z'), 'America/New_York'), at('2026-07-01T13:00:00Z'), 'summer time');
  t.equal(nextRun(parseCron('0 9 * * *'), at('2026-12-01T00:00:00Z'), 'America/New_York'), at('2026-12-01T14:00:00Z'), 'winter time');
  t.throws(() => parseCron('* * * *'), CronParseError);
  t.throws(() => parseCron('61 * * * *'), CronParseError);
  t.throws(() => parseCron('*/0 * * * *'), CronParseError);
  t.same(lastMissedRun(every15, at('2026-01-01T00:00:00Z'), at('2026-01-01T01:07:00Z')), { at: at('2026-01-01T01:00:00Z'), count: 4 });
  const many = lastMissedRun(parseCron('* * * * *'), at('2026-01-01T00:00:00Z'), at('2026-01-03T00:00:30Z'));
  t.same(many, { at: at('2026-01-03T00:00:00Z'), count: 100 }, 'many missed: still finds the latest');
});

function world(extra: Partial<CronJob['spec']> = {}): World {
  const w = new World({ CronJob: reconcileCronJob });
  w.c.now = at('2026-01-01T00:00:30Z');
  w.c.create(cronJob('tick', '*/5 * * * *', extra));
  return w;
}
const jobs = (w: World): Job[] => w.c.list<Job>('Job');
function finishJob(w: World, name: string, type: 'Complete' | 'Failed'): void {
  const j = w.get<Job>('Job', name)!;
  w.c.put({ ...j, status: { ...j.status, completionTime: new Date(w.c.now).toISOString(), conditions: [{ type, status: 'True' }] } });
}

t.test('runs at each scheduled minute with a deterministic name, and records it', async (t) => {
  const w = world();
  w.settle();
  t.equal(jobs(w).length, 0);
  w.c.now = at('2026-01-01T00:05:10Z');
  w.settle();
  t.same(jobs(w).map((j) => j.metadata.name), [jobNameFor('tick', at('2026-01-01T00:05:00Z'))]);
  t.equal(w.get<CronJob>('CronJob', 'tick')!.status!.lastScheduleTime, '2026-01-01T00:05:00.000Z');
  t.equal(w.get<CronJob>('CronJob', 'tick')!.status!.active!.length, 1);
  const r = reconcileCronJob({ kind: 'CronJob', namespace: 'default', name: 'tick' }, w.c.snapshot(), { now: w.c.now, config: controllerConfig({ jobBackoffBaseMs: 1, jobBackoffMaxMs: 1 }) });
  t.equal(r.requeueAfterMs, at('2026-01-01T00:10:00Z') - w.c.now);
});

t.test('a leader change neither skips nor doubles a run', async (t) => {
  const w = world();
  w.settle();
  w.c.now = at('2026-01-01T00:05:10Z');
  // The old leader created the Job but died before recording lastScheduleTime.
  const k = { kind: 'CronJob', namespace: 'default', name: 'tick' };
  const ctx = { now: w.c.now, config: controllerConfig({ jobBackoffBaseMs: 1, jobBackoffMaxMs: 1 }) };
  const first = reconcileCronJob(k, w.c.snapshot(), ctx);
  w.c.apply(first.actions.filter((a) => a.op === 'create' && a.object.kind === 'Job'));
  // New leader, from the view alone, possibly a bit later.
  w.c.now = at('2026-01-01T00:06:00Z');
  w.settle();
  t.equal(jobs(w).length, 1, 'not doubled');
  t.equal(w.get<CronJob>('CronJob', 'tick')!.status!.lastScheduleTime, '2026-01-01T00:05:00.000Z');
  // A leader gap across a run time: the run still happens when a leader is back.
  w.c.now = at('2026-01-01T00:12:00Z');
  w.settle();
  t.same(jobs(w).map((j) => j.metadata.name).sort(), [jobNameFor('tick', at('2026-01-01T00:05:00Z')), jobNameFor('tick', at('2026-01-01T00:10:00Z'))].sort(), 'not skipped');
});

t.test('startingDeadlineSeconds: too late means missed', async (t) => {
  const w = world({ startingDeadlineSeconds: 30 });
  w.c.now = at('2026-01-01T00:05:45Z');
  w.settle();
  t.equal(jobs(w).length, 0);
  t.ok(w.c.list('Event').some((e) => (e as unknown as { reason: string }).reason === 'MissSchedule'));
  w.c.now = at('2026-01-01T00:10:20Z');
  w.settle();
  t.equal(jobs(w).length, 1);
});

t.test('Forbid waits for the active job; Replace deletes it', async (t) => {
  const w = world({ concurrencyPolicy: 'Forbid' });
  w.c.now = at('2026-01-01T00:05:01Z');
  w.settle();
  w.c.now = at('2026-01-01T00:10:01Z');
  w.settle();
  t.equal(jobs(w).length, 1, 'Forbid: no second job while the first runs');
  finishJob(w, jobs(w)[0]!.metadata.name, 'Complete');
  w.settle();
  t.equal(jobs(w).length, 2, 'the held run starts once the first ends');

  const r = world({ concurrencyPolicy: 'Replace' });
  r.c.now = at('2026-01-01T00:05:01Z');
  r.settle();
  r.c.now = at('2026-01-01T00:10:01Z');
  r.settle();
  t.same(jobs(r).map((j) => j.metadata.name), [jobNameFor('tick', at('2026-01-01T00:10:00Z'))]);
});

t.test('suspend, history limits, invalid schedule and time zone', async (t) => {
  const w = world({ suspend: true });
  w.c.now = at('2026-01-01T00:30:00Z');
  w.settle();
  t.equal(jobs(w).length, 0);

  const h = world({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 });
  for (const m of ['05', '10', '15']) {
    h.c.now = at(`2026-01-01T00:${m}:01Z`);
    h.settle();
    const newest = jobs(h).find((j) => !j.status?.conditions)!;
    finishJob(h, newest.metadata.name, m === '15' ? 'Failed' : 'Complete');
    h.c.now += 1;
    h.settle();
  }
  t.same(jobs(h).map((j) => j.metadata.name), [jobNameFor('tick', at('2026-01-01T00:10:00Z'))]);
  t.ok(h.get<CronJob>('CronJob', 'tick')!.status!.lastSuccessfulTime);

  const bad = new World({ CronJob: reconcileCronJob });
  bad.c.create(cronJob('bad', 'nope'));
  bad.c.create({ ...cronJob('tz', '* * * * *'), spec: { ...cronJob('tz', '* * * * *').spec!, timeZone: 'Mars/Olympus' } });
  bad.c.now += 10 * 60_000;
  bad.settle();
  const reasons = bad.c.list('Event').map((e) => (e as unknown as { reason: string }).reason).sort();
  t.same(reasons, ['InvalidSchedule', 'UnknownTimeZone']);
  t.equal(bad.c.list('Job').length, 0);
});
