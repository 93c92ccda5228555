/** Kind metadata and object keys. */
import type { ObjectKey } from './cluster.js';
import type { Kind, KubeObject } from './types.js';
import { KINDS } from './types.js';

export interface KindInfo {
  kind: Kind;
  apiVersion: string;
  namespaced: boolean;
  plural: string;
  short: readonly string[];
}

export class UnknownKindError extends Error {
  override name = 'UnknownKindError';
  constructor(readonly kind: string) {
    super(`unknown kind ${JSON.stringify(kind)}: supported kinds are ${Object.keys(KINDS).join(', ')}`);
  }
}

export function isKind(kind: string): kind is Kind {
  return Object.prototype.hasOwnProperty.call(KINDS, kind);
}

/** The kind's apiVersion, scope and names; throws UnknownKindError. */
export function kindInfo(kind: string): KindInfo {
  if (!isKind(kind)) throw new UnknownKindError(kind);
  return { kind, ...KINDS[kind] };
}

/**
 * Resolves what a user typed (`pods`, `pod`, `po`, `Pod`, `deploy`) to a kind;
 * undefined when nothing matches.
 */
export function resolveKind(name: string): Kind | undefined {
  const lower = name.toLowerCase();
  for (const [kind, info] of Object.entries(KINDS)) {
    if (kind.toLowerCase() === lower || info.plural === lower || (info.short as readonly string[]).includes(lower)) return kind as Kind;
  }
  return undefined;
}

export function isNamespaced(kind: string): boolean {
  return kindInfo(kind).namespaced;
}

/** The store key of an object: namespace '' for cluster-scoped kinds, 'default' when unset. */
export function objectKey(obj: Pick<KubeObject, 'kind' | 'metadata'>): ObjectKey {
  const namespaced = isKind(obj.kind) ? KINDS[obj.kind].namespaced : true;
  return { kind: obj.kind, namespace: namespaced ? obj.metadata.namespace || 'default' : '', name: obj.metadata.name };
}

/** `Kind/namespace/name` (or `Kind/name`), for logs and error messages. */
export function formatKey(key: ObjectKey): string {
  return key.namespace ? `${key.kind}/${key.namespace}/${key.name}` : `${key.kind}/${key.name}`;
}
