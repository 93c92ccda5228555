/**
 * What an update may change, given the stored object (Kubernetes'
 * ValidateUpdate): selectors of workloads are immutable, a pod's spec is
 * fixed except for images, deadlines and added tolerations, a Job's template
 * is fixed, and a StatefulSet changes only the fields it can roll out.
 */
import type { KubeObject, PodSpec } from '../types.js';
import type { ValidationIssue } from './issues.js';
import { Issues } from './issues.js';

type Rec = Record<string, unknown>;

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ak = Object.keys(a).filter((k) => (a as Rec)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Rec)[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => equal((a as Rec)[k], (b as Rec)[k]));
}

/** `spec` without the listed top-level fields. */
function without(spec: unknown, fields: readonly string[]): Rec {
  const out: Rec = { ...((spec as Rec | undefined) ?? {}) };
  for (const f of fields) delete out[f];
  return out;
}

/** The pod spec with what an update may change blanked out. */
function podSpecMasked(spec: PodSpec | undefined, tolerationsFrom: PodSpec | undefined): Rec {
  const s = without(spec, ['activeDeadlineSeconds', 'terminationGracePeriodSeconds', 'tolerations']);
  for (const list of ['containers', 'initContainers'] as const) {
    if (Array.isArray(s[list])) s[list] = (s[list] as Rec[]).map((c) => ({ ...c, image: undefined }));
  }
  // Tolerations may be added, not removed or changed.
  const before = tolerationsFrom?.tolerations ?? [];
  const after = spec?.tolerations ?? [];
  s.tolerationsKept = before.every((t) => after.some((u) => equal(t, u)));
  return s;
}

const SELECTOR_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);
const STATEFULSET_MUTABLE = ['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit'];

export function validateUpdate(old: KubeObject, next: KubeObject): ValidationIssue[] {
  const issues = new Issues();
  const o = old.spec as Rec | undefined;
  const n = next.spec as Rec | undefined;
  if (SELECTOR_KINDS.has(old.kind) && o && n && !equal(o.selector, n.selector)) {
    issues.invalid('spec.selector', n.selector ?? null, 'field is immutable');
  }
  switch (old.kind) {
    case 'Pod':
      if (!equal(podSpecMasked(o as PodSpec | undefined, o as PodSpec | undefined), podSpecMasked(n as PodSpec | undefined, o as PodSpec | undefined))) {
        issues.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.terminationGracePeriodSeconds` or `spec.tolerations` (only additions to existing tolerations)');
      }
      break;
    case 'Job':
      if (o && n && !equal(o.template, n.template)) issues.invalid('spec.template', '(template)', 'field is immutable');
      if (o && n && !equal(o.completionMode, n.completionMode)) issues.invalid('spec.completionMode', n.completionMode ?? null, 'field is immutable');
      break;
    case 'PersistentVolumeClaim':
      // Like Kubernetes: only the requested size may change after creation.
      if (!equal(without(o, ['resources']), without(n, ['resources']))) issues.forbidden('spec', 'spec is immutable after creation except resources.requests for bound claims');
      break;
    case 'StatefulSet':
      if (!equal(without(o, [...STATEFULSET_MUTABLE, 'selector']), without(n, [...STATEFULSET_MUTABLE, 'selector']))) {
        issues.forbidden('spec', `updates to statefulset spec for fields other than ${STATEFULSET_MUTABLE.map((f) => `'${f}'`).join(', ')} are forbidden`);
      }
      break;
  }
  return issues.list;
}
