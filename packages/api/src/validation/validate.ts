/**
 * validate / assertValid: the one entry point for checking an object before
 * it is proposed. Checks apiVersion and kind, the size limit, the per-kind
 * field schema (unknown fields refused by name) and the cross-field rules.
 */
import type { KubeObject } from '../types.js';
import { KINDS } from '../types.js';
import { isKind } from '../kinds.js';
import { Issues, ValidationError, type ValidationIssue } from './issues.js';
import { KIND_SCHEMAS } from './kind-schemas.js';
import { checkKindRules, checkMetadata } from './rules.js';
import { walkFields } from './walk.js';

/** Objects larger than this, JSON-encoded, are refused (as etcd's request limit does). */
export const DEFAULT_MAX_OBJECT_BYTES = 1024 * 1024;

export interface ValidateOptions {
  /** Default DEFAULT_MAX_OBJECT_BYTES. */
  maxObjectBytes?: number;
}

/**
 * An upper bound on the UTF-8 size of `JSON.stringify(v)`, from one walk
 * that allocates nothing; it stops counting once past `stopAbove`. A string
 * costs at most 6 bytes per UTF-16 unit (\uXXXX) plus its quotes, a number
 * at most 25 characters (-0.0000010195877236374372: a sign, "0.", five
 * zeros and 17 digits; exponent forms are shorter).
 */
export function jsonBytesBound(v: unknown, stopAbove = Infinity): number {
  let total = 0;
  const visit = (x: unknown): void => {
    if (total > stopAbove) return;
    if (typeof x === 'string') total += 2 + 6 * x.length;
    else if (typeof x === 'number') total += 25;
    else if (x === null || typeof x === 'boolean') total += 5;
    else if (Array.isArray(x)) {
      total += 2;
      for (const e of x) {
        if (total > stopAbove) return;
        total += 1;
        // JSON.stringify writes undefined and functions in arrays as null.
        if (e === undefined || typeof e === 'function' || typeof e === 'symbol') total += 4;
        else visit(e);
      }
    } else if (typeof x === 'object') {
      const toJSON = (x as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        total += 2 + 6 * String(JSON.stringify(x)).length;
        return;
      }
      total += 2;
      for (const k in x) {
        if (total > stopAbove) return;
        if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
        const e = (x as Record<string, unknown>)[k];
        if (e === undefined || typeof e === 'function' || typeof e === 'symbol') continue;
        total += 4 + 6 * k.length;
        visit(e);
      }
    }
    // undefined, functions and symbols at the top: JSON.stringify writes nothing.
  };
  visit(v);
  return total;
}

/**
 * The path of the first own `__proto__` key in `v`, at any depth, or
 * undefined. JSON.parse makes one an ordinary key, but any code that copies
 * it by assignment turns it into the copy's prototype, whose fields no walk
 * of own keys sees and every reader does. Refused outright, even as a key
 * of a free-form map (Kubernetes would take it as a ConfigMap key): one
 * check at the door is safer than care at every copy. The path is built
 * only on the way back from a find; a clean object costs no allocation.
 */
function protoKeyPath(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = protoKeyPath(v[i]);
      if (p !== undefined) return `[${i}]${p.startsWith('[') ? '' : '.'}${p}`;
    }
    return undefined;
  }
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (k === '__proto__') return k;
    const p = protoKeyPath((v as Record<string, unknown>)[k]);
    if (p !== undefined) return `${k}${p.startsWith('[') ? '' : '.'}${p}`;
  }
  return undefined;
}

export function validate(obj: unknown, opts: ValidateOptions = {}): ValidationIssue[] {
  const issues = new Issues();
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    issues.invalid('', obj, 'an object must be a map with apiVersion, kind and metadata');
    return issues.list;
  }
  const protoPath = protoKeyPath(obj);
  if (protoPath !== undefined) {
    issues.list.push({ path: protoPath, type: 'Forbidden', reason: 'Forbidden: the key "__proto__" is not allowed' });
    return issues.list;
  }
  const o = obj as Record<string, unknown>;
  const kind = o.kind;
  if (typeof kind !== 'string' || kind === '') {
    issues.required('kind');
    return issues.list;
  }
  if (!isKind(kind)) {
    issues.unsupported('kind', kind, Object.keys(KINDS));
    return issues.list;
  }
  const apiVersion = KINDS[kind].apiVersion;
  if (o.apiVersion !== apiVersion) {
    if (o.apiVersion === undefined || o.apiVersion === '') issues.required('apiVersion');
    else issues.unsupported('apiVersion', o.apiVersion, [apiVersion]);
  }
  const max = opts.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  // Encoding the object only to measure it was the costliest part of validating a
  // small object; a bound from one walk without allocating settles almost every case.
  if (jsonBytesBound(obj, max) > max && new TextEncoder().encode(JSON.stringify(obj)).length > max) {
    issues.tooLong('', max);
    return issues.list;
  }
  const schema = KIND_SCHEMAS[kind];
  if (schema) walkFields(schema, o, '', issues);
  // Cross-field rules assume the basic shapes: skip them when the walk found a wrong shape.
  const shapeBroken = issues.list.some((i) => i.type === 'Required' || (i.type === 'Invalid' && /must be (an object|a list|a string|a map|an integer|a boolean)/.test(i.reason)));
  if (!shapeBroken) {
    const found = issues.list.length;
    try {
      if (typeof o.metadata === 'object' && o.metadata !== null) checkMetadata(o as unknown as KubeObject, issues);
      checkKindRules(o as KubeObject & Record<string, unknown>, issues);
    } catch (e) {
      // Only reachable with a shape the walk let through: report it rather than crash the caller.
      issues.list.length = found;
      issues.invalid('', '(object)', `could not be checked: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return issues.list;
}

/** Throws ValidationError listing every issue; returns the object typed. */
export function assertValid<T extends KubeObject = KubeObject>(obj: unknown, opts: ValidateOptions = {}): T {
  const issues = validate(obj, opts);
  if (issues.length > 0) {
    const o = obj as Partial<KubeObject> | null;
    const subject = o && typeof o === 'object' && o.kind ? `${o.kind} ${JSON.stringify(o.metadata?.name ?? o.metadata?.generateName ?? '')}` : 'object';
    throw new ValidationError(issues, subject);
  }
  return obj as T;
}
