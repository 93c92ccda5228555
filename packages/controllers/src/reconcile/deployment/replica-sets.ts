/** A Deployment's ReplicaSets: which is new, revisions, and building the new one. */
import type { Deployment, ObjectReader, PodTemplateSpec, ReplicaSet } from '@shoal/api';
import { deepCopy, deepEqual, templateHash } from '../util/hash.js';
import { isControlledBy, ownerRefTo } from '../util/owners.js';
import { createdAt } from '../util/pods.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const HASH_LABEL = 'pod-template-hash';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export function revisionOf(rs: ReplicaSet): number {
  const v = Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isFinite(v) ? v : 0;
}

export function ownedReplicaSets(view: ObjectReader, d: Deployment): ReplicaSet[] {
  return view.list<ReplicaSet>('ReplicaSet', { namespace: d.metadata.namespace ?? 'default' }).filter((rs) => isControlledBy(rs, d));
}

/** The template without the pod-template-hash label, as the Deployment wrote it. */
export function templateWithoutHash(t: PodTemplateSpec): PodTemplateSpec {
  const copy = deepCopy(t);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[HASH_LABEL];
  }
  return copy;
}

function normalisedTemplate(t: PodTemplateSpec): unknown {
  const c = templateWithoutHash(t);
  // Empty label/annotation maps equal absent ones.
  return { metadata: { labels: c.metadata?.labels ?? {}, annotations: c.metadata?.annotations ?? {} }, spec: c.spec };
}

export function sameTemplate(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return deepEqual(normalisedTemplate(a), normalisedTemplate(b));
}

/** The ReplicaSet running the Deployment's current template (the oldest such, if several). */
export function findNewReplicaSet(d: Deployment, sets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort((a, b) => createdAt(a) - createdAt(b) || (a.metadata.name < b.metadata.name ? -1 : 1)).find((rs) => rs.spec && sameTemplate(rs.spec.template, d.spec!.template));
}

export function maxRevision(sets: readonly ReplicaSet[]): number {
  return sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

export function hashFor(d: Deployment): string {
  return templateHash(normalisedTemplate(d.spec!.template), d.status?.collisionCount ?? 0);
}

/** The new ReplicaSet for the Deployment's template: name `<deployment>-<hash>`, labelled with the hash. */
export function buildReplicaSet(d: Deployment, hash: string, replicas: number, revision: number): ReplicaSet {
  const spec = d.spec!;
  const template = deepCopy(spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace ?? 'default',
      labels: { ...(template.metadata.labels ?? {}) },
      annotations: { [REVISION_ANNOTATION]: String(revision), [DESIRED_REPLICAS_ANNOTATION]: String(spec.replicas ?? 1) },
      ownerReferences: [ownerRefTo(d)],
    },
    spec: {
      replicas,
      minReadySeconds: spec.minReadySeconds ?? 0,
      selector: { ...deepCopy(spec.selector), matchLabels: { ...(spec.selector.matchLabels ?? {}), [HASH_LABEL]: hash } },
      template,
    },
  };
}

/** A copy of `rs` with new replicas (and the Deployment's minReadySeconds and desired count). */
export function scaledReplicaSet(rs: ReplicaSet, replicas: number, d: Deployment): ReplicaSet {
  return {
    ...rs,
    metadata: { ...rs.metadata, annotations: { ...(rs.metadata.annotations ?? {}), [DESIRED_REPLICAS_ANNOTATION]: String(d.spec!.replicas ?? 1) } },
    spec: { ...rs.spec!, replicas, minReadySeconds: d.spec!.minReadySeconds ?? 0 },
  };
}
