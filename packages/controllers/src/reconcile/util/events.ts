/**
 * Events as create actions with deterministic names (involved object name +
 * a hash of its uid, the reason and the message), so repeating a reconcile,
 * or a new leader repeating it, never duplicates an event: the second create
 * is skipped when the view has it, or fails with AlreadyExists, which the
 * manager treats as done.
 */
import type { Action, Event, KubeObject, ObjectReader } from '@shoal/api';
import type { ReconcileContext } from '../types.js';
import { encodeSuffix } from './hash.js';
import { iso } from './time.js';

export type EventType = 'Normal' | 'Warning';

export function eventName(involved: KubeObject, reason: string, message: string): string {
  return `${involved.metadata.name}.${encodeSuffix(`${involved.metadata.uid ?? ''}|${reason}|${message}`, 10)}`;
}

export function eventAction(view: ObjectReader, ctx: ReconcileContext, involved: KubeObject, type: EventType, reason: string, message: string): Action[] {
  const namespace = involved.metadata.namespace || 'default';
  const name = eventName(involved, reason, message);
  if (view.get({ kind: 'Event', namespace, name })) return [];
  const event: Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: { kind: involved.kind, name: involved.metadata.name, namespace: involved.metadata.namespace, uid: involved.metadata.uid, apiVersion: involved.apiVersion },
    reason,
    message,
    type,
    source: { component: ctx.config.eventSource },
    firstTimestamp: iso(ctx.now),
    lastTimestamp: iso(ctx.now),
    count: 1,
    reportingComponent: ctx.config.eventSource,
  };
  return [{ op: 'create', object: event }];
}
