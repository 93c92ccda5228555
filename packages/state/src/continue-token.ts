/**
 * List continuation: a token names the last key of the previous page, and
 * the next page starts after it. Pages reflect the store as it is when each
 * is read (not one snapshot across pages), like an etcd list past its
 * compaction window.
 *
 * Lists are ordered by namespace, then name. The token carries the position
 * as the text `namespace/name` (namespaces hold no '/'), but positions are
 * compared as the pair: as text, "a-b/x" sorts before "a/x".
 */
import type { KubeObject } from '@shoal/api';
import { ContinueTokenError } from './errors.js';

export interface ListPosition {
  namespace: string;
  name: string;
}

export const positionOf = (o: KubeObject): ListPosition => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name });

/** Whether `o` comes after `p` in list order. */
export function isAfter(o: KubeObject, p: ListPosition): boolean {
  const ns = o.metadata.namespace ?? '';
  return ns === p.namespace ? o.metadata.name > p.name : ns > p.namespace;
}

export function encodeContinue(p: ListPosition): string {
  return Buffer.from(JSON.stringify({ v: 1, after: `${p.namespace}/${p.name}` }), 'utf8').toString('base64url');
}

export function decodeContinue(token: string): ListPosition {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; after?: unknown };
    const slash = typeof v.after === 'string' ? v.after.indexOf('/') : -1;
    if (v.v === 1 && slash >= 0) {
      const after = v.after as string;
      return { namespace: after.slice(0, slash), name: after.slice(slash + 1) };
    }
  } catch (_e) {
    // fall through to the error below
  }
  throw new ContinueTokenError('not a token returned by a previous list');
}
