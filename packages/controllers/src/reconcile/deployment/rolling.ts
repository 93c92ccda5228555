/**
 * The rolling update arithmetic, as Kubernetes does it:
 * - the new ReplicaSet grows while the total of all sets' replicas stays
 *   within replicas + maxSurge;
 * - old sets shrink while the available pods stay at least
 *   replicas - maxUnavailable, unhealthy old pods going first.
 */
import type { ReplicaSet } from '@shoal/api';
import { createdAt } from '../util/pods.js';

const specReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 0;

/*
 * Safety: a set's status lags its spec. Pods a set has been told to drop are
 * still counted in its status; counting them as available would let the next
 * step scale down again and fall below the floor. So a set never counts for
 * more than its spec.replicas.
 */
const keptPods = (rs: ReplicaSet): number => Math.min(rs.status?.replicas ?? 0, specReplicas(rs));
const keptAvailable = (rs: ReplicaSet): number => Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs));

/** The new set's target size for this step. */
export function newReplicaSetReplicas(desired: number, surge: number, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const current = specReplicas(newRS);
  if (current >= desired) return desired;
  const total = all.reduce((s, rs) => s + specReplicas(rs), 0);
  const room = desired + surge - total;
  if (room <= 0) return current;
  return current + Math.min(room, desired - current);
}

/** New sizes for the old sets (name -> replicas), only for the ones that change. */
export function scaleDownOldReplicaSets(desired: number, unavailable: number, all: readonly ReplicaSet[], newRS: ReplicaSet, old: readonly ReplicaSet[]): Map<string, number> {
  const out = new Map<string, number>();
  const active = old.filter((rs) => specReplicas(rs) > 0).sort((a, b) => createdAt(a) - createdAt(b) || (a.metadata.name < b.metadata.name ? -1 : 1));
  if (active.length === 0) return out;
  const allPods = all.reduce((s, rs) => s + keptPods(rs), 0);
  const minAvailable = desired - unavailable;
  const newUnavailable = specReplicas(newRS) - keptAvailable(newRS);
  let budget = allPods - minAvailable - newUnavailable;
  if (budget <= 0) return out;

  // First the old pods that are not available anyway: removing them costs no availability.
  const size = new Map(active.map((rs) => [rs.metadata.name, specReplicas(rs)]));
  for (const rs of active) {
    if (budget <= 0) break;
    const unhealthy = specReplicas(rs) - keptAvailable(rs);
    if (unhealthy <= 0) continue;
    const cut = Math.min(budget, unhealthy);
    size.set(rs.metadata.name, specReplicas(rs) - cut);
    budget -= cut;
  }
  // Then available old pods, as far as the availability floor allows.
  const availableNow = all.reduce((s, rs) => s + keptAvailable(rs), 0);
  let canRemove = availableNow - minAvailable;
  for (const rs of active) {
    if (canRemove <= 0) break;
    const cur = size.get(rs.metadata.name) ?? 0;
    const cut = Math.min(cur, canRemove);
    size.set(rs.metadata.name, cur - cut);
    canRemove -= cut;
  }
  for (const rs of active) {
    const n = size.get(rs.metadata.name) ?? 0;
    if (n !== specReplicas(rs)) out.set(rs.metadata.name, n);
  }
  return out;
}

/**
 * Proportional scaling: when replicas change in the middle of a rollout,
 * every active set grows or shrinks in proportion to its size (by the
 * desired count it was last sized for), so the rollout keeps its balance;
 * the rounding leftover goes to the largest set. Returns new sizes by name.
 */
export function proportionalSizes(desired: number, surge: number, active: readonly ReplicaSet[], sizedFor: (rs: ReplicaSet) => number | undefined): Map<string, number> {
  const total = active.reduce((s, rs) => s + specReplicas(rs), 0);
  const toAdd = desired + surge - total;
  const sorted = [...active].sort((a, b) => specReplicas(b) - specReplicas(a) || createdAt(b) - createdAt(a) || (a.metadata.name < b.metadata.name ? -1 : 1));
  const out = new Map<string, number>();
  if (toAdd === 0 || sorted.length === 0) return out;
  let added = 0;
  for (const rs of sorted) {
    const before = sizedFor(rs) ?? total;
    const target = before > 0 ? Math.round((specReplicas(rs) * desired) / before) : specReplicas(rs);
    let delta = target - specReplicas(rs);
    delta = toAdd > 0 ? Math.min(Math.max(delta, 0), toAdd - added) : Math.max(Math.min(delta, 0), toAdd - added);
    out.set(rs.metadata.name, specReplicas(rs) + delta);
    added += delta;
  }
  const first = sorted[0]!;
  if (added !== toAdd) out.set(first.metadata.name, Math.max(0, (out.get(first.metadata.name) ?? 0) + toAdd - added));
  for (const rs of sorted) if (out.get(rs.metadata.name) === specReplicas(rs)) out.delete(rs.metadata.name);
  return out;
}
