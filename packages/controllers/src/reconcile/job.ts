/**
 * Job: run pods until `completions` succeed (or, without completions, until
 * one succeeds), at most `parallelism` at a time.
 * - Failed pods count toward `backoffLimit`; each retry waits
 *   base * 2^(failures-1) (capped) after the last failure. More failures than
 *   the limit: Failed, reason BackoffLimitExceeded.
 * - `activeDeadlineSeconds` from startTime: Failed, reason DeadlineExceeded.
 * - Indexed mode: each index 0..completions-1 succeeds once; its pods carry
 *   the index in the `batch.kubernetes.io/job-completion-index` annotation and
 *   label, the JOB_COMPLETION_INDEX env var, and hostname `<job>-<index>`.
 * - On finishing, remaining pods are deleted; `ttlSecondsAfterFinished` later
 *   the Job itself is deleted (its pods follow by garbage collection).
 * Pod names are deterministic (NonIndexed: `<job>-<5 chars>` by slot;
 * Indexed: `<job>-<index>-<5 chars>` by attempt), so retries never double.
 * Finished pods are kept (they are the record of what ran) until the Job goes.
 *
 * Counting (Kubernetes' job tracking with finalizers): every pod is created
 * with the `batch.kubernetes.io/job-tracking` finalizer, so it cannot vanish
 * before it is counted. A pod is counted once, when it has finished (or was
 * deleted by someone else while running: a failure), into the Job's status
 * (`succeeded`, `failed`, `completedIndexes`), and loses the finalizer in the
 * same log entry. The status is the record from then on: a succeeded pod
 * that is deleted later (by a user, or with a lost node) is never run again,
 * and failures keep counting toward `backoffLimit`. Pods the controller
 * deletes itself (suspend, finish) and pods of a Job that is gone lose the
 * finalizer uncounted.
 */
import type { Action, Condition, Container, Job, JobStatus, ObjectKey, ObjectReader, Pod } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { findCondition, setCondition } from './util/conditions.js';
import { eventAction } from './util/events.js';
import { deepEqual, encodeSuffix } from './util/hash.js';
import { controllerRef, isControlledBy } from './util/owners.js';
import { isPodReady, isTerminating, podFromTemplate } from './util/pods.js';
import { iso, ms } from './util/time.js';
import { freePodNames } from './replicaset.js';
import { formatIndexes, parseIndexes } from './indexes.js';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

function indexOf(pod: Pod): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** When a failed pod failed (ms): its last container finish, else its creation. */
function failedAt(pod: Pod): number {
  let t = ms(pod.metadata.creationTimestamp) ?? 0;
  for (const c of pod.status?.containerStatuses ?? []) t = Math.max(t, ms(c.state.terminated?.finishedAt) ?? 0);
  return t;
}

export function isJobFinished(job: Job): 'Complete' | 'Failed' | undefined {
  for (const type of ['Complete', 'Failed'] as const) if (findCondition(job.status?.conditions, type)?.status === 'True') return type;
  return undefined;
}

function withIndexEnv(containers: Container[] | undefined, index: number): Container[] | undefined {
  return containers?.map((c) => ({ ...c, env: [...(c.env ?? []).filter((e) => e.name !== 'JOB_COMPLETION_INDEX'), { name: 'JOB_COMPLETION_INDEX', value: String(index) }] }));
}

function jobPod(job: Job, name: string, index: number | undefined): Pod {
  const labels: Record<string, string> = { 'job-name': job.metadata.name, [JOB_NAME_LABEL]: job.metadata.name, 'controller-uid': job.metadata.uid ?? '' };
  const annotations: Record<string, string> = {};
  if (index !== undefined) {
    labels[COMPLETION_INDEX_ANNOTATION] = String(index);
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
  }
  const pod = podFromTemplate(job.spec!.template, { name, namespace: job.metadata.namespace ?? 'default', owner: job, labels, annotations });
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER), JOB_TRACKING_FINALIZER];
  if (index !== undefined) {
    const spec = pod.spec!;
    spec.containers = withIndexEnv(spec.containers, index) ?? [];
    if (spec.initContainers) spec.initContainers = withIndexEnv(spec.initContainers, index);
    spec.hostname = `${job.metadata.name}-${index}`;
  }
  return pod;
}

function finish(job: Job, status: JobStatus, type: 'Complete' | 'Failed', reason: string, message: string, now: number): JobStatus {
  let conditions: Condition[] = status.conditions ?? [];
  conditions = setCondition(conditions, { type, status: 'True', reason, message }, now);
  return { ...status, conditions, ...(type === 'Complete' ? { completionTime: iso(now) } : {}) };
}

const tracked = (p: Pod): boolean => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

function untrack(p: Pod): Action {
  return { op: 'removeFinalizers', key: { kind: 'Pod', namespace: p.metadata.namespace ?? 'default', name: p.metadata.name }, finalizers: [JOB_TRACKING_FINALIZER], ...(p.metadata.uid ? { uid: p.metadata.uid } : {}) };
}

/** Pods still tracked for a Job that is gone (or was replaced by another of the same name): nothing will count them. */
function releaseOrphans(key: ObjectKey, view: ObjectReader, job: Job | undefined): Action[] {
  return view
    .list<Pod>('Pod', { namespace: key.namespace })
    .filter((p) => {
      const ref = controllerRef(p);
      return tracked(p) && ref?.kind === 'Job' && ref.name === key.name && ref.uid !== job?.metadata.uid;
    })
    .map(untrack);
}

export function reconcileJob(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const job = view.get<Job>(key);
  const orphans = releaseOrphans(key, view, job);
  if (!job || !job.spec) return { actions: orphans };
  const spec = job.spec;
  const ns = job.metadata.namespace ?? 'default';
  const pods = view.list<Pod>('Pod', { namespace: ns }).filter((p) => isControlledBy(p, job));
  const podKey = (p: Pod): ObjectKey => ({ kind: 'Pod', namespace: ns, name: p.metadata.name });
  if (isTerminating(job)) return { actions: [...orphans, ...pods.filter(tracked).map(untrack)] };
  const actions: Action[] = [...orphans];
  /** Deletes pods this controller no longer wants: they go uncounted. */
  const remove = (ps: Pod[]): void => {
    for (const p of ps) {
      if (!isTerminating(p)) actions.push({ op: 'delete', key: podKey(p), uid: p.metadata.uid });
      if (tracked(p)) actions.push(untrack(p));
    }
  };
  const active = pods.filter((p) => !isTerminating(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');

  const finished = isJobFinished(job);
  if (finished) {
    remove(active);
    for (const p of pods) if (tracked(p) && !active.includes(p)) actions.push(untrack(p));
    const ttl = spec.ttlSecondsAfterFinished;
    if (ttl === undefined) return { actions };
    const cond = findCondition(job.status?.conditions, finished);
    const at = (ms(job.status?.completionTime) ?? ms(cond?.lastTransitionTime) ?? ctx.now) + ttl * 1000;
    if (ctx.now >= at) return { actions: [...actions, { op: 'delete', key, uid: job.metadata.uid, propagationPolicy: 'Background' }] };
    return { actions, requeueAfterMs: at - ctx.now };
  }

  const indexed = spec.completionMode === 'Indexed';
  const parallelism = Math.max(0, spec.parallelism ?? 1);
  const completions = spec.completions;
  const backoffLimit = spec.backoffLimit ?? 6;
  const startTime = job.status?.startTime ?? iso(ctx.now);
  // Count what finished since the last pass (and pods deleted by others while running: failures).
  const newlySucceeded = pods.filter((p) => tracked(p) && p.status?.phase === 'Succeeded');
  const newlyFailed = pods.filter((p) => tracked(p) && p.status?.phase !== 'Succeeded' && (p.status?.phase === 'Failed' || isTerminating(p)));
  for (const p of [...newlySucceeded, ...newlyFailed]) actions.push(untrack(p));
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  const failedCount = (job.status?.failed ?? 0) + newlyFailed.length;
  const doneIndexes = parseIndexes(job.status?.completedIndexes);
  for (const i of newlySucceeded.map(indexOf)) if (i !== undefined && completions !== undefined && i < completions) doneIndexes.add(i);
  const succeededCount = indexed ? doneIndexes.size : (job.status?.succeeded ?? 0) + newlySucceeded.length;
  let status: JobStatus = {
    ...(job.status ?? {}),
    startTime,
    active: active.length,
    ready: active.filter(isPodReady).length,
    succeeded: succeededCount,
    failed: failedCount,
    ...(indexed ? { completedIndexes: formatIndexes(doneIndexes) } : {}),
  };
  let requeueAfterMs: number | undefined;

  const failWith = (reason: string, message: string): void => {
    status = finish(job, status, 'Failed', reason, message, ctx.now);
    remove(active);
    actions.push(...eventAction(view, ctx, job, 'Warning', reason, message));
  };

  const deadline = spec.activeDeadlineSeconds !== undefined ? (ms(startTime) ?? ctx.now) + spec.activeDeadlineSeconds * 1000 : undefined;
  const complete = indexed ? completions !== undefined && doneIndexes.size >= completions : completions !== undefined ? succeededCount >= completions : succeededCount > 0 && active.length === 0;

  if (complete) {
    status = finish(job, status, 'Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', ctx.now);
    actions.push(...eventAction(view, ctx, job, 'Normal', 'Completed', 'Job completed'));
  } else if (failedCount > backoffLimit) {
    failWith('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
  } else if (deadline !== undefined && ctx.now >= deadline) {
    failWith('DeadlineExceeded', 'Job was active longer than specified deadline');
  } else if (spec.suspend) {
    remove(active);
    status = { ...status, conditions: setCondition(status.conditions, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, ctx.now) };
  } else {
    if (findCondition(status.conditions, 'Suspended')?.status === 'True') {
      status = { ...status, conditions: setCondition(status.conditions, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }, ctx.now) };
    }
    if (deadline !== undefined) requeueAfterMs = deadline - ctx.now;
    // Exponential back-off after failures, from the latest failure.
    let wait = 0;
    if (failedCount > 0 && failedPods.length > 0) {
      const delay = Math.min(ctx.config.jobBackoffBaseMs * 2 ** (failedCount - 1), ctx.config.jobBackoffMaxMs);
      const last = Math.max(...failedPods.map(failedAt));
      wait = last + delay - ctx.now;
    }
    if (wait > 0) requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
    else {
      const creates: Pod[] = [];
      if (indexed) {
        const busy = new Set(active.map(indexOf));
        const room = parallelism - active.length;
        for (let i = 0; completions !== undefined && i < completions && creates.length < room; i++) {
          if (doneIndexes.has(i) || busy.has(i)) continue;
          const attempt = pods.filter((p) => indexOf(p) === i).length;
          let name = `${job.metadata.name}-${i}-${encodeSuffix(`${job.metadata.uid}/${i}/${attempt}`, 5)}`;
          for (let n = attempt + 1; view.get({ kind: 'Pod', namespace: ns, name }); n++) name = `${job.metadata.name}-${i}-${encodeSuffix(`${job.metadata.uid}/${i}/${n}`, 5)}`;
          creates.push(jobPod(job, name, i));
        }
      } else {
        // Without completions, stop starting pods once one has succeeded.
        const remaining = completions !== undefined ? completions - succeededCount : succeededCount > 0 ? 0 : parallelism;
        const want = Math.max(0, Math.min(parallelism, remaining) - active.length);
        for (const name of freePodNames(view, ns, job.metadata.name, job.metadata.uid ?? '', want)) creates.push(jobPod(job, name, undefined));
      }
      for (const p of creates) {
        actions.push({ op: 'create', object: p });
        actions.push(...eventAction(view, ctx, job, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`));
      }
    }
  }

  if (!deepEqual(status, job.status)) actions.push({ op: 'updateStatus', object: { ...job, status } });
  return requeueAfterMs !== undefined && requeueAfterMs > 0 ? { actions, requeueAfterMs } : { actions };
}
