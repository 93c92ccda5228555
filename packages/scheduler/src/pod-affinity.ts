/**
 * Inter-pod affinity and anti-affinity by topology domain. For one pending pod
 * the matching pods are found once, and each term becomes the set of domains
 * (values of its topologyKey) that hold a matching pod; checking a node is
 * then a set lookup.
 */
import { matchesSelector, type Pod, type PodAffinityTerm } from '@shoal/api';
import type { ClusterState, NodeState } from './node-state.js';

function termMatchesPod(term: PodAffinityTerm, ownerNamespace: string, pod: Pod): boolean {
  // A term without a selector selects nothing, as in Kubernetes.
  if (!term.labelSelector) return false;
  const namespaces = term.namespaces?.length ? term.namespaces : [ownerNamespace];
  if (!namespaces.includes(pod.metadata.namespace ?? 'default')) return false;
  return matchesSelector(term.labelSelector, pod.metadata.labels);
}

interface DomainTerm {
  key: string;
  domains: Set<string>;
}

export interface PodAffinityContext {
  /** Required affinity terms, each with the domains that satisfy it. */
  affinity: DomainTerm[];
  /** No pod anywhere matches the required affinity and the pod matches its own terms: it may go anywhere (first of its group). */
  affinityBootstrap: boolean;
  antiAffinity: DomainTerm[];
  /** Domains forbidden by existing pods' required anti-affinity against this pod. */
  existingAnti: DomainTerm[];
  /** topologyKey -> domain -> summed preferred weight (negative for anti-affinity). */
  preferred: Map<string, Map<string, number>>;
}

function namespacesOf(term: PodAffinityTerm, ownerNs: string): string[] {
  return term.namespaces?.length ? term.namespaces : [ownerNs];
}

function domainsOf(state: ClusterState, term: PodAffinityTerm, ownerNs: string): Set<string> {
  const out = new Set<string>();
  if (!term.labelSelector) return out;
  for (const [value, n] of state.domainCounts(namespacesOf(term, ownerNs), term.labelSelector, term.topologyKey)) if (n > 0) out.add(value);
  return out;
}

export function hasPodAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  return !!(a?.podAffinity || a?.podAntiAffinity);
}

export function buildPodAffinityContext(state: ClusterState, pod: Pod): PodAffinityContext | undefined {
  if (!hasPodAffinity(pod) && state.antiAffinity.size === 0) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  const a = pod.spec?.affinity;
  const reqAffinity = a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const affinity = reqAffinity.map((t) => ({ key: t.topologyKey, domains: domainsOf(state, t, ns) }));
  const affinityBootstrap =
    affinity.length > 0 && affinity.every((t) => t.domains.size === 0) && reqAffinity.every((t) => termMatchesPod(t, ns, pod));
  const antiAffinity = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => ({ key: t.topologyKey, domains: domainsOf(state, t, ns) }));

  const existing = new Map<string, Set<string>>();
  for (const g of state.antiAffinity.values()) {
    if (!termMatchesPod(g.term, g.namespace, pod)) continue;
    let set = existing.get(g.term.topologyKey);
    if (!set) existing.set(g.term.topologyKey, (set = new Set()));
    for (const v of g.domains) set.add(v);
  }
  const existingAnti = [...existing].map(([key, domains]) => ({ key, domains }));

  const preferred = new Map<string, Map<string, number>>();
  const addPreferred = (term: PodAffinityTerm, weight: number): void => {
    let byDomain = preferred.get(term.topologyKey);
    if (!byDomain) preferred.set(term.topologyKey, (byDomain = new Map()));
    if (!term.labelSelector) return;
    for (const [value, n] of state.domainCounts(namespacesOf(term, ns), term.labelSelector, term.topologyKey)) byDomain.set(value, (byDomain.get(value) ?? 0) + weight * n);
  };
  for (const w of a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) addPreferred(w.podAffinityTerm, w.weight);
  for (const w of a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) addPreferred(w.podAffinityTerm, -w.weight);

  return { affinity, affinityBootstrap, antiAffinity, existingAnti, preferred };
}

export type PodAffinityVerdict = undefined | 'affinity' | 'antiAffinity' | 'existingAntiAffinity';

export function checkPodAffinity(ctx: PodAffinityContext, node: NodeState): PodAffinityVerdict {
  for (const t of ctx.existingAnti) {
    const v = node.labels[t.key];
    if (v !== undefined && t.domains.has(v)) return 'existingAntiAffinity';
  }
  if (!ctx.affinityBootstrap) {
    for (const t of ctx.affinity) {
      const v = node.labels[t.key];
      if (v === undefined || !t.domains.has(v)) return 'affinity';
    }
  } else {
    // The first pod of a group still needs the topology key on its node.
    for (const t of ctx.affinity) if (node.labels[t.key] === undefined) return 'affinity';
  }
  for (const t of ctx.antiAffinity) {
    const v = node.labels[t.key];
    if (v !== undefined && t.domains.has(v)) return 'antiAffinity';
  }
  return undefined;
}

export function preferredPodAffinityScore(ctx: PodAffinityContext, node: NodeState): number {
  let score = 0;
  for (const [key, byDomain] of ctx.preferred) {
    const v = node.labels[key];
    if (v !== undefined) score += byDomain.get(v) ?? 0;
  }
  return score;
}
