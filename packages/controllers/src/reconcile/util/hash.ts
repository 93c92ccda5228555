/**
 * Stable hashes for deterministic names: pod-template-hash labels, pod name
 * suffixes, event names. FNV-1a over a canonical JSON form (sorted keys).
 */

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** JSON with object keys sorted, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Consonants and digits only, as Kubernetes uses, so suffixes never spell words. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `length` characters from the alphabet, derived from `seed`. */
export function encodeSuffix(seed: string, length: number): string {
  let out = '';
  let round = 0;
  while (out.length < length) {
    let h = fnv1a32(`${seed}#${round++}`);
    for (let i = 0; i < 6 && out.length < length; i++) {
      out += ALPHABET[h % ALPHABET.length];
      h = Math.floor(h / ALPHABET.length);
    }
  }
  return out;
}

/** The pod-template-hash of a template (plus the collision count, bumped on a name clash). */
export function templateHash(template: unknown, collisionCount = 0): string {
  return encodeSuffix(`${canonicalJson(template)}|${collisionCount}`, 10);
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}
