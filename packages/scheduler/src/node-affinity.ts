/** nodeSelector and node affinity terms against a node's labels and name. */
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod } from '@shoal/api';

function matchRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0] as string, 10);
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its requirements do; an empty term matches nothing. */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!matchRequirement(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined)) return false;
  for (const r of fields) if (!matchRequirement(r, r.key === 'metadata.name' ? nodeName : undefined)) return false;
  return true;
}

/** nodeSelector and required node affinity (terms are ORed). */
export function matchesNodeRequirements(pod: Pod, labels: Readonly<Record<string, string>>, nodeName: string): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) {
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) return req.nodeSelectorTerms.some((t) => matchesNodeSelectorTerm(t, labels, nodeName));
  return true;
}

/** Sum of the weights of the preferred terms the node matches. */
export function preferredNodeAffinityScore(pod: Pod, labels: Readonly<Record<string, string>>, nodeName: string): number {
  let score = 0;
  for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (matchesNodeSelectorTerm(p.preference, labels, nodeName)) score += p.weight;
  }
  return score;
}
