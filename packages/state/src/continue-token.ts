/**
 * List continuation: a token names the last key of the previous page, and
 * the next page starts after it. Pages reflect the store as it is when each
 * is read (not one snapshot across pages), like an etcd list past its
 * compaction window.
 */
import type { KubeObject } from '@shoal/api';
import { ContinueTokenError } from './errors.js';

/** The list order: namespace, then name. */
export const sortKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function encodeContinue(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url');
}

export function decodeContinue(token: string): string {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: number; after?: unknown };
    if (v.v === 1 && typeof v.after === 'string') return v.after;
  } catch (_e) {
    // fall through to the error below
  }
  throw new ContinueTokenError('not a token returned by a previous list');
}
