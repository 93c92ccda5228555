/**
 * Multi-document YAML manifests (`shoal apply -f`). Errors name the document
 * number (1-based) and the line, so a bad file points at the bad spot.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject } from './types.js';

export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(readonly document: number, readonly line: number | undefined, reason: string, readonly source?: string, options?: { cause?: unknown }) {
    super(`${source ? `${source}: ` : ''}document ${document}${line !== undefined ? `, line ${line}` : ''}: ${reason}`, options);
  }
}

export interface ParseManifestsOptions {
  /** A file name to put in error messages. */
  source?: string;
}

/** Parses every non-empty document; a `kind: List` document contributes its `items`. */
export function parseManifests(text: string, opts: ParseManifestsOptions = {}): KubeObject[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const out: KubeObject[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const n = i + 1;
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
      throw new ManifestError(n, line, err.message.split('\n')[0] ?? err.code, opts.source, { cause: err });
    }
    if (doc.contents === null) return;
    const line = doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : undefined;
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ManifestError(n, line, 'expected a map with apiVersion, kind and metadata', opts.source);
    }
    const o = value as Record<string, unknown>;
    if (typeof o.kind !== 'string' || o.kind === '') throw new ManifestError(n, line, 'kind: Required value', opts.source);
    if (o.kind === 'List') {
      if (!Array.isArray(o.items)) throw new ManifestError(n, line, 'items: a List must have an items list', opts.source);
      o.items.forEach((item: unknown, j: number) => {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ManifestError(n, line, `items[${j}]: expected a map`, opts.source);
        out.push(item as KubeObject);
      });
      return;
    }
    out.push(o as unknown as KubeObject);
  });
  return out;
}
