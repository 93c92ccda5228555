/** maxSurge / maxUnavailable / partition values: a count or "25%" of a total. */

export class IntOrPercentError extends Error {
  override name = 'IntOrPercentError';
}

/** Resolve against `total`; percentages round up or down as Kubernetes does for the field. */
export function resolveIntOrPercent(value: number | string | undefined, fallback: number | string, total: number, roundUp: boolean): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new IntOrPercentError(`invalid value ${JSON.stringify(v)}: expected an integer or a percentage`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * maxSurge (rounded up) and maxUnavailable (rounded down) for a rolling update;
 * if both come out 0, maxUnavailable becomes 1 so the rollout can progress.
 */
export function surgeAndUnavailable(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, replicas: number): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, '25%', replicas, true);
  let unavailable = resolveIntOrPercent(maxUnavailable, '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
