/** Helpers for JSON-shaped data: freeze, compare. */

/** Freezes `v` and everything under it; already-frozen subtrees are shared from stored objects and skipped. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** Structural equality of JSON-shaped data; key order does not matter, undefined fields count as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** Adds `seconds` to an RFC 3339 time; output has second precision, as Kubernetes writes it. */
export function addSeconds(timestamp: string, seconds: number): string {
  const ms = Date.parse(timestamp);
  return new Date(ms + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
