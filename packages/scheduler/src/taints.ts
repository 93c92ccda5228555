/** Taints and tolerations, with Kubernetes' matching rules. */
import type { Taint, Toleration } from '@shoal/api';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  // An empty effect tolerates every effect.
  if (t.effect && t.effect !== taint.effect) return false;
  // An empty key with Exists tolerates every taint.
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function isTolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate. */
export function firstUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!isTolerated(tolerations, taint)) return taint;
  }
  return undefined;
}

export function countUntoleratedPreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): number {
  let n = 0;
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule' && !(tolerations ?? []).some((t) => (!t.effect || t.effect === 'PreferNoSchedule') && toleratesTaint(t, taint))) n++;
  }
  return n;
}

/** "{key: value}" as in Kubernetes' failure messages. */
export function formatTaint(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ''}}`;
}
