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

export function validate(obj: unknown, opts: ValidateOptions = {}): ValidationIssue[] {
  const issues = new Issues();
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    issues.invalid('', obj, 'an object must be a map with apiVersion, kind and metadata');
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
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only measure bytes when that bound is over the limit.
  const json = JSON.stringify(obj);
  if (json.length * 3 > max && new TextEncoder().encode(json).length > max) {
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
