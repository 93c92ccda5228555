/** Rollback and restart: the update actions behind `shoal rollout undo` and `shoal rollout restart`. */
import type { Action, Deployment, ObjectReader } from '@shoal/api';
import { iso } from '../util/time.js';
import { ownedReplicaSets, RESTARTED_AT_ANNOTATION, revisionOf, templateWithoutHash } from './replica-sets.js';

export class RevisionNotFoundError extends Error {
  override name = 'RevisionNotFoundError';
  constructor(readonly deployment: string, readonly revision: number) {
    super(revision === 0 ? `deployment ${deployment} has no previous revision` : `deployment ${deployment} has no revision ${revision}`);
  }
}

/** The revisions a Deployment can go back to, newest first, with their templates. */
export function rolloutHistory(d: Deployment, view: ObjectReader): { revision: number; replicaSet: string; template: unknown }[] {
  return ownedReplicaSets(view, d)
    .map((rs) => ({ revision: revisionOf(rs), replicaSet: rs.metadata.name, template: rs.spec?.template }))
    .sort((a, b) => b.revision - a.revision);
}

/**
 * The update that rolls `d` back to `revision` (0: the one before the current).
 * The Deployment's template becomes that revision's; the controller then makes
 * the old set the newest revision and rolls to it.
 */
export function rollbackTo(d: Deployment, revision: number, view: ObjectReader): Action {
  const sets = ownedReplicaSets(view, d).sort((a, b) => revisionOf(b) - revisionOf(a));
  const target = revision === 0 ? sets[1] : sets.find((rs) => revisionOf(rs) === revision);
  if (!target?.spec) throw new RevisionNotFoundError(d.metadata.name, revision);
  return { op: 'update', object: { ...d, spec: { ...d.spec!, template: templateWithoutHash(target.spec.template) } } };
}

/** The update that restarts every pod of `d` (a new template annotation makes a new ReplicaSet). */
export function restartDeployment(d: Deployment, now: number): Action {
  const t = d.spec!.template;
  const template = { ...t, metadata: { ...(t.metadata ?? {}), annotations: { ...(t.metadata?.annotations ?? {}), [RESTARTED_AT_ANNOTATION]: iso(now) } } };
  return { op: 'update', object: { ...d, spec: { ...d.spec!, template } } };
}
