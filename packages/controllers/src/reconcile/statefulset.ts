/**
 * StatefulSet: pods `<set>-<ordinal>` with stable hostnames and one claim per
 * volumeClaimTemplate (`<template>-<set>-<ordinal>`, a named volume on the
 * node that first ran the ordinal).
 *
 * - OrderedReady: create the lowest missing ordinal only when every lower one
 *   is Running and Ready; scale down from the highest ordinal, one at a time.
 *   Parallel: create and delete all at once.
 * - RollingUpdate: replace pods at an old revision from the highest ordinal
 *   down to `partition`, one at a time, waiting for pods at the new revision
 *   to be Ready. Pods at an old revision never block the rollout, so reverting
 *   a broken template replaces the broken pods by itself (Kubernetes issue
 *   67250). OnDelete: replaced only when the user deletes them.
 * - Fencing: an ordinal's pod name is its identity, and the store refuses a
 *   second object of one name; a pod of ordinal N that still exists (even
 *   terminating, even on a dead node) blocks creating N again. Node lifecycle
 *   removes pods of dead nodes; their agent kills the container on return.
 *
 * - Claims: before an ordinal's pod is created, each volumeClaimTemplate gets
 *   its PersistentVolumeClaim `<template>-<set>-<ordinal>` (kept when it
 *   exists; the pod waits while one is being deleted). The claim records the
 *   node holding its volume and the scheduler keeps the pod there
 *   (volume-claim.ts). Retention: `whenDeleted: Delete` makes the set an owner
 *   of its claims (the garbage collector deletes them with the set);
 *   `whenScaled: Delete` deletes the claims of ordinals scaled away once their
 *   pod is gone. Deleting a claim deletes its volume.
 *
 * Revisions are pod-template hashes (label `controller-revision-hash`); the
 * current revision's template is kept in the annotation
 * `shoal.io/current-revision-template`, so pods below the partition are
 * recreated at it.
 */
import { matchesSelector, type Action, type ObjectKey, type ObjectReader, type OwnerReference, type PersistentVolumeClaim, type PersistentVolumeClaimTemplate, type Pod, type PodTemplateSpec, type StatefulSet, type StatefulSetStatus } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { eventAction } from './util/events.js';
import { deepCopy, deepEqual, templateHash } from './util/hash.js';
import { isControlledBy, ownerRefTo } from './util/owners.js';
import { isFinished, isPodAvailable, isPodReady, isTerminating, msUntilAvailable, podFromTemplate } from './util/pods.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const CURRENT_TEMPLATE_ANNOTATION = 'shoal.io/current-revision-template';

export function claimName(template: string, set: string, ordinal: number): string {
  return `${template}-${set}-${ordinal}`;
}

/** The ordinal `name` ends with after `prefix` ("db-" + "2" -> 2), if it is exactly that. */
function ordinalAfter(prefix: string, name: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  return ordinalAfter(`${set.metadata.name}-`, pod.metadata.name);
}

function currentTemplate(set: StatefulSet): PodTemplateSpec | undefined {
  const raw = set.metadata.annotations?.[CURRENT_TEMPLATE_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as PodTemplateSpec;
  } catch {
    return undefined;
  }
}

/** The reference a claim carries when the set's claims go with the set (`whenDeleted: Delete`). */
function claimOwnerRef(set: StatefulSet): OwnerReference {
  return { ...ownerRefTo(set), controller: false };
}

/** The claim of one template for one ordinal, as the set creates it. */
export function statefulClaim(set: StatefulSet, template: PersistentVolumeClaimTemplate, ordinal: number): PersistentVolumeClaim {
  const retainOnDelete = (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain') === 'Retain';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(template.metadata.name, set.metadata.name, ordinal),
      namespace: set.metadata.namespace ?? 'default',
      labels: { ...(template.metadata.labels ?? {}), ...(set.spec?.selector.matchLabels ?? {}) },
      ...(template.metadata.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ...(retainOnDelete ? {} : { ownerReferences: [claimOwnerRef(set)] }),
    },
    spec: deepCopy(template.spec ?? {}),
  };
}

/** The ordinal a claim belongs to when it is one of the set's (its name and the set's selector), else undefined. */
export function claimOrdinal(set: StatefulSet, claim: PersistentVolumeClaim): number | undefined {
  if (!set.spec || !matchesSelector(set.spec.selector, claim.metadata.labels)) return undefined;
  return (set.spec.volumeClaimTemplates ?? []).map((t) => ordinalAfter(`${t.metadata.name}-${set.metadata.name}-`, claim.metadata.name)).find((o) => o !== undefined);
}

/** The set's existing claims: ordinal -> claims (any template), found by name and selector labels. */
function claimsOfSet(set: StatefulSet, view: ObjectReader): Map<number, PersistentVolumeClaim[]> {
  const out = new Map<number, PersistentVolumeClaim[]>();
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length === 0) return out;
  for (const c of view.list<PersistentVolumeClaim>('PersistentVolumeClaim', { namespace: set.metadata.namespace ?? 'default' })) {
    const ordinal = claimOrdinal(set, c);
    if (ordinal === undefined) continue;
    out.set(ordinal, [...(out.get(ordinal) ?? []), c]);
  }
  return out;
}

export function statefulPod(set: StatefulSet, ordinal: number, template: PodTemplateSpec, revision: string): Pod {
  const name = `${set.metadata.name}-${ordinal}`;
  const ns = set.metadata.namespace ?? 'default';
  const pod = podFromTemplate(template, {
    name,
    namespace: ns,
    owner: set,
    labels: { [POD_NAME_LABEL]: name, [REVISION_LABEL]: revision, [POD_INDEX_LABEL]: String(ordinal) },
  });
  const spec = pod.spec!;
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const claims = (set.spec?.volumeClaimTemplates ?? []).map((t) => ({ name: t.metadata.name, persistentVolumeClaim: { claimName: claimName(t.metadata.name, set.metadata.name, ordinal) } }));
  spec.volumes = [...(spec.volumes ?? []).filter((v) => !claims.some((c) => c.name === v.name)), ...claims];
  return pod;
}

/** Creates of the ordinal's claims that do not exist. */
function missingClaims(set: StatefulSet, view: ObjectReader, ordinal: number): Action[] {
  const ns = set.metadata.namespace ?? 'default';
  return (set.spec?.volumeClaimTemplates ?? [])
    .map((t) => statefulClaim(set, t, ordinal))
    .filter((c) => !view.get({ kind: 'PersistentVolumeClaim', namespace: ns, name: c.metadata.name }))
    .map((c): Action => ({ op: 'create', object: c }));
}

/**
 * Claim actions before any pod work: retention references follow the policy,
 * and with `whenScaled: Delete` the claims of ordinals out of range whose pod
 * is gone are deleted.
 */
function claimRetention(set: StatefulSet, view: ObjectReader, claims: Map<number, PersistentVolumeClaim[]>, start: number, end: number): Action[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  const ownedBySet = policy?.whenDeleted === 'Delete';
  const ns = set.metadata.namespace ?? 'default';
  const actions: Action[] = [];
  for (const [ordinal, list] of claims) {
    for (const c of list) {
      if (isTerminating(c)) continue;
      const outOfRange = ordinal < start || ordinal >= end;
      if (outOfRange && policy?.whenScaled === 'Delete' && !view.get({ kind: 'Pod', namespace: ns, name: `${set.metadata.name}-${ordinal}` })) {
        actions.push({ op: 'delete', key: { kind: 'PersistentVolumeClaim', namespace: ns, name: c.metadata.name }, uid: c.metadata.uid });
        continue;
      }
      const refs = c.metadata.ownerReferences ?? [];
      const has = refs.some((r) => r.uid === set.metadata.uid);
      if (has !== ownedBySet) {
        const ownerReferences = ownedBySet ? [...refs, claimOwnerRef(set)] : refs.filter((r) => r.uid !== set.metadata.uid);
        actions.push({ op: 'update', object: { ...c, metadata: { ...c.metadata, ownerReferences } } });
      }
    }
  }
  return actions;
}

export function reconcileStatefulSet(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const set = view.get<StatefulSet>(key);
  if (!set || !set.spec || isTerminating(set)) return { actions: [] };
  const spec = set.spec;
  const ns = set.metadata.namespace ?? 'default';
  const start = spec.ordinals?.start ?? 0;
  const replicas = Math.max(0, spec.replicas ?? 1);
  const end = start + replicas;
  const ordered = (spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  const minReady = spec.minReadySeconds ?? 0;
  const updateRevision = templateHash(spec.template);
  const saved = currentTemplate(set);
  const currentRevision = saved ? templateHash(saved) : updateRevision;
  const pods = view.list<Pod>('Pod', { namespace: ns }).filter((p) => isControlledBy(p, set));
  const byOrdinal = new Map<number, Pod>();
  for (const p of pods) {
    const o = ordinalOf(set, p);
    if (o !== undefined) byOrdinal.set(o, p);
  }
  const revisionOf = (p: Pod): string | undefined => p.metadata.labels?.[REVISION_LABEL];
  // Ready, and Ready for minReadySeconds: what the next ordinal (or the next update) waits for.
  const healthy = (p: Pod): boolean => !isTerminating(p) && isPodAvailable(p, minReady, ctx.now);

  // ---- metadata first: remember the current template.
  const annotations = { ...(set.metadata.annotations ?? {}) };
  if (!saved) annotations[CURRENT_TEMPLATE_ANNOTATION] = JSON.stringify(spec.template);
  if (!deepEqual(annotations, set.metadata.annotations ?? {})) {
    return { actions: [{ op: 'update', object: { ...set, metadata: { ...set.metadata, annotations } } }] };
  }

  const claims = claimsOfSet(set, view);
  const actions: Action[] = claimRetention(set, view, claims, start, end);
  const podKey = (p: Pod): ObjectKey => ({ kind: 'Pod', namespace: ns, name: p.metadata.name });
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const rolling = (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

  // ---- failed pods are deleted, to be recreated.
  for (const p of pods) {
    if (isFinished(p) && !isTerminating(p)) {
      actions.push({ op: 'delete', key: podKey(p), uid: p.metadata.uid, gracePeriodSeconds: 0 });
      actions.push(...eventAction(view, ctx, set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${ns}/${set.metadata.name} is recreating failed Pod ${p.metadata.name}`));
    }
  }
  const failedNow = new Set(pods.filter((p) => isFinished(p)).map((p) => p.metadata.name));

  // ---- create missing ordinals.
  let created = false;
  for (let o = start; o < end; o++) {
    const p = byOrdinal.get(o);
    if (!p) {
      const name = `${set.metadata.name}-${o}`;
      // Fencing: any object of this name (an orphan, a terminating pod) blocks the ordinal.
      if (view.get({ kind: 'Pod', namespace: ns, name })) {
        if (ordered) break;
        continue;
      }
      // Each claim first; a claim still being deleted (its volume with it) holds the ordinal back.
      const existing = claims.get(o) ?? [];
      if (existing.some(isTerminating)) {
        if (ordered) break;
        continue;
      }
      actions.push(...missingClaims(set, view, o));
      const useCurrent = rolling && o < partition && saved !== undefined;
      const pod = statefulPod(set, o, useCurrent ? saved : spec.template, useCurrent ? currentRevision : updateRevision);
      actions.push({ op: 'create', object: pod });
      actions.push(...eventAction(view, ctx, set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} successful`));
      created = true;
      if (ordered) break;
      continue;
    }
    // A pod whose claim was deleted gets a new one (it stays Pending until then).
    if (!(claims.get(o) ?? []).some(isTerminating)) actions.push(...missingClaims(set, view, o));
    // OrderedReady: the next ordinal waits until this one is Running and Ready.
    if (ordered && (!healthy(p) || failedNow.has(p.metadata.name))) break;
  }

  // ---- scale down: condemned ordinals, highest first.
  const condemned = pods.filter((p) => {
    const o = ordinalOf(set, p);
    return o === undefined || o < start || o >= end;
  }).sort((a, b) => (ordinalOf(set, b) ?? -1) - (ordinalOf(set, a) ?? -1));
  const inRange = [...byOrdinal.entries()].filter(([o]) => o >= start && o < end).map(([, p]) => p);
  const allInRangeHealthy = inRange.length === replicas && inRange.every(healthy);
  let deleting = false;
  if (!created && condemned.length) {
    if (!ordered) {
      for (const p of condemned) if (!isTerminating(p)) actions.push({ op: 'delete', key: podKey(p), uid: p.metadata.uid });
      deleting = true;
    } else if (!condemned.some(isTerminating) && allInRangeHealthy) {
      const p = condemned[0]!;
      actions.push({ op: 'delete', key: podKey(p), uid: p.metadata.uid });
      actions.push(...eventAction(view, ctx, set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful`));
      deleting = true;
    } else deleting = true;
  }

  // ---- rolling update, highest ordinal first, down to the partition.
  if (rolling && !created && !deleting && !pods.some(isTerminating)) {
    const outdated = inRange.filter((p) => revisionOf(p) !== updateRevision && (ordinalOf(set, p) ?? 0) >= partition).sort((a, b) => (ordinalOf(set, b) ?? 0) - (ordinalOf(set, a) ?? 0));
    // Only pods already at the new revision must be Ready; an outdated pod never blocks its own replacement.
    const updatedUnhealthy = inRange.some((p) => revisionOf(p) === updateRevision && !healthy(p));
    if (outdated.length && !updatedUnhealthy && inRange.length === replicas) {
      const p = outdated[0]!;
      actions.push({ op: 'delete', key: podKey(p), uid: p.metadata.uid });
      actions.push(...eventAction(view, ctx, set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful (update to revision ${updateRevision})`));
    }
  }

  // ---- status; the rollout is done when every pod runs the update revision and is Ready.
  const active = pods.filter((p) => !isTerminating(p));
  const done = inRange.length === replicas && condemned.length === 0 && inRange.every((p) => revisionOf(p) === updateRevision && healthy(p));
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    replicas: active.length,
    readyReplicas: active.filter(isPodReady).length,
    currentReplicas: active.filter((p) => revisionOf(p) === (done ? updateRevision : currentRevision)).length,
    updatedReplicas: active.filter((p) => revisionOf(p) === updateRevision).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, minReady, ctx.now)).length,
    currentRevision: done ? updateRevision : currentRevision,
    updateRevision,
    ...(set.status?.collisionCount !== undefined ? { collisionCount: set.status.collisionCount } : {}),
  };
  if (done && currentRevision !== updateRevision) {
    // The new revision becomes current: remember its template (status follows next pass).
    actions.push({ op: 'update', object: { ...set, metadata: { ...set.metadata, annotations: { ...annotations, [CURRENT_TEMPLATE_ANNOTATION]: JSON.stringify(deepCopy(spec.template)) } } } });
    return { actions };
  }
  if (!deepEqual(status, set.status)) actions.push({ op: 'updateStatus', object: { ...set, status } });
  // Come back when a ready pod passes minReadySeconds.
  const waits = active.map((p) => msUntilAvailable(p, minReady, ctx.now)).filter((w): w is number => w !== undefined);
  return waits.length ? { actions, requeueAfterMs: Math.min(...waits) } : { actions };
}
