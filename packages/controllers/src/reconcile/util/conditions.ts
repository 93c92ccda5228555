/** Status conditions, with transition times that move only when the status changes. */
import type { Condition } from '@shoal/api';
import { iso } from './time.js';

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * `conditions` with `next` set: lastTransitionTime moves only when the status
 * changes; lastUpdateTime moves when anything changes. Returns a new array.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: Condition, now: number): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  if (prev && prev.status === next.status && prev.reason === next.reason && prev.message === next.message) return list;
  const c: Condition = {
    ...next,
    lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : iso(now),
    lastUpdateTime: iso(now),
  };
  if (i >= 0) list[i] = c;
  else list.push(c);
  return list;
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
