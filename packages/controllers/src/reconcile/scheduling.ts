/**
 * One scheduling pass for the leader: every pending pod in the view is
 * placed with the pure scheduler, giving `bind` actions, a `Scheduled` event
 * per binding and a `FailedScheduling` event per pod that fits nowhere (named
 * by pod and message, so an unchanged reason is not repeated). Pods that
 * name another schedulerName, are terminating, or are finished are left alone.
 * The leader re-checks each bind with `checkBinding` (or a `Scheduler` over
 * the latest state) when it commits.
 */
import type { Action, Node, ObjectReader, PersistentVolumeClaim, Pod } from '@shoal/api';
import { schedule, type SchedulerConfig } from '@shoal/scheduler';
import type { ReconcileContext } from './types.js';
import { eventAction } from './util/events.js';
import { isFinished, isTerminating } from './util/pods.js';

export const SCHEDULER_NAMES = ['default-scheduler', 'shoal'];

export function isPending(pod: Pod): boolean {
  const name = pod.spec?.schedulerName;
  return !pod.spec?.nodeName && !isTerminating(pod) && !isFinished(pod) && (name === undefined || SCHEDULER_NAMES.includes(name));
}

export interface SchedulingPass {
  actions: Action[];
  bound: number;
  unschedulable: number;
}

export function planScheduling(view: ObjectReader, ctx: ReconcileContext, config: Partial<SchedulerConfig> = {}, limit = 1000): SchedulingPass {
  const pods = view.list<Pod>('Pod');
  const pending = pods.filter(isPending).slice(0, limit);
  if (pending.length === 0) return { actions: [], bound: 0, unschedulable: 0 };
  const result = schedule({ nodes: view.list<Node>('Node'), pods, claims: view.list<PersistentVolumeClaim>('PersistentVolumeClaim') }, pending, config);
  const byUid = new Map(pending.map((p) => [p.metadata.uid ?? `${p.metadata.namespace}/${p.metadata.name}`, p]));
  const actions: Action[] = [];
  for (const b of result.bindings) {
    actions.push({ op: 'bind', key: { kind: 'Pod', namespace: b.namespace, name: b.name }, nodeName: b.nodeName, ...(b.uid ? { uid: b.uid } : {}) });
    const pod = byUid.get(b.uid || `${b.namespace}/${b.name}`);
    if (pod) actions.push(...eventAction(view, ctx, pod, 'Normal', 'Scheduled', `Successfully assigned ${b.namespace}/${b.name} to ${b.nodeName}`));
  }
  for (const f of result.failures) {
    const pod = byUid.get(f.uid || `${f.namespace}/${f.name}`);
    if (pod) actions.push(...eventAction(view, ctx, pod, 'Warning', 'FailedScheduling', f.message));
  }
  return { actions, bound: result.bindings.length, unschedulable: result.failures.length };
}
