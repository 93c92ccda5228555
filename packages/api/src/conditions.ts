/** Status condition helpers; they never mutate their input. */
import type { Condition } from './types.js';

export function getCondition(conds: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

/** True when the condition of `type` has status 'True'. */
export function isConditionTrue(conds: readonly Condition[] | undefined, type: string): boolean {
  return getCondition(conds, type)?.status === 'True';
}

/**
 * A new array with `cond` in place of the condition of the same type.
 * lastTransitionTime is kept from the old condition when the status did not
 * change, so it marks real transitions only.
 */
export function setCondition(conds: readonly Condition[] | undefined, cond: Condition): Condition[] {
  const list = conds ?? [];
  const old = getCondition(list, cond.type);
  const next: Condition = { ...cond };
  if (old && old.status === cond.status && old.lastTransitionTime) next.lastTransitionTime = old.lastTransitionTime;
  if (!old) return [...list, next];
  return list.map((c) => (c.type === cond.type ? next : c));
}

export function removeCondition(conds: readonly Condition[] | undefined, type: string): Condition[] {
  return (conds ?? []).filter((c) => c.type !== type);
}
