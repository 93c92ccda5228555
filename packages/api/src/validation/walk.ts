/** Checks a value against a field schema, recording issues with their paths. */
import { QuantityError, parseQuantity } from '../quantity.js';
import { checkFormat } from './formats.js';
import type { Issues } from './issues.js';
import type { FieldSchema } from './schema.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const PERCENT = /^(\d+)%$/;

/** Absent or null: YAML's `field:` with no value means "not set". */
export const isAbsent = (v: unknown): boolean => v === undefined || v === null;

/** The required field names of each object schema, computed once. */
const requiredCache = new WeakMap<object, string[]>();
function requiredOf(fields: Readonly<Record<string, FieldSchema>>): string[] {
  let r = requiredCache.get(fields);
  if (!r) requiredCache.set(fields, (r = Object.keys(fields).filter((k) => fields[k]?.required)));
  return r;
}

/** Walks the fields of an object schema; unknown keys are refused by name. */
export function walkFields(fields: Readonly<Record<string, FieldSchema>>, value: Record<string, unknown>, path: string, issues: Issues): void {
  // Present fields first (in the value's order), then the required ones that are missing.
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const schema = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
    if (!schema) issues.unknown(join(path, key));
    else walk(schema, value[key], join(path, key), issues);
  }
  for (const key of requiredOf(fields)) {
    if (isAbsent(value[key])) issues.required(join(path, key));
  }
}

export function walk(schema: FieldSchema, value: unknown, path: string, issues: Issues): void {
  if (isAbsent(value)) return; // a missing required field is reported by walkFields
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return issues.invalid(path, value, 'must be a string');
      if (schema.required && value === '') return issues.required(path);
      if (schema.enum && !schema.enum.includes(value)) return issues.unsupported(path, value, schema.enum);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return issues.tooLong(path, schema.maxLength, 'characters');
      if (schema.format) for (const why of checkFormat(schema.format, value)) issues.invalid(path, value, why);
      return;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return issues.invalid(path, value, 'must be an integer');
      return checkRange(schema.min, schema.max, value, path, issues);
    case 'boolean':
      if (typeof value !== 'boolean') issues.invalid(path, value, 'must be a boolean');
      return;
    case 'intOrString': {
      if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) return issues.invalid(path, value, 'must be an integer or a string');
        return checkRange(schema.min, schema.max, value, path, issues);
      }
      if (typeof value !== 'string') return issues.invalid(path, value, 'must be an integer or a string');
      if (schema.percent) {
        const m = PERCENT.exec(value);
        if (!m) return issues.invalid(path, value, "must be an integer or a percentage such as '25%'");
        if (Number(m[1]) > 100) issues.invalid(path, value, 'must not be greater than 100%');
        return;
      }
      for (const why of checkFormat('portName', value)) issues.invalid(path, value, why);
      return;
    }
    case 'quantity':
      try {
        if (parseQuantity(value as string | number) < 0) issues.invalid(path, value, 'must be greater than or equal to 0');
      } catch (e) {
        issues.invalid(path, value, e instanceof QuantityError ? "must be a quantity such as '500m', '1', '128Mi' or '2Gi'" : String(e));
      }
      return;
    case 'object':
      if (!isPlainObject(value)) return issues.invalid(path, value, 'must be an object');
      return walkFields(schema.fields, value, path, issues);
    case 'empty':
      if (!isPlainObject(value)) return issues.invalid(path, value, 'must be an object');
      for (const key of Object.keys(value)) issues.unknown(join(path, key));
      return;
    case 'array': {
      if (!Array.isArray(value)) return issues.invalid(path, value, 'must be a list');
      if (schema.required && value.length === 0) return issues.required(path);
      if (schema.minItems !== undefined && value.length < schema.minItems) issues.invalid(path, value, `must have at least ${schema.minItems} item(s)`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) issues.tooMany(path, schema.maxItems);
      value.forEach((item, i) => {
        if (isAbsent(item)) issues.required(`${path}[${i}]`);
        else walk(schema.items, item, `${path}[${i}]`, issues);
      });
      return;
    }
    case 'map':
      if (!isPlainObject(value)) return issues.invalid(path, value, 'must be a map of strings');
      for (const k in value) {
        if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
        const v = value[k];
        if (schema.keyFormat) for (const why of checkFormat(schema.keyFormat, k)) issues.invalid(path, k, why);
        if (isAbsent(v)) issues.invalid(`${path}[${k}]`, v, 'must not be null');
        else walk(schema.values, v, `${path}[${k}]`, issues);
      }
      return;
  }
}

function checkRange(min: number | undefined, max: number | undefined, v: number, path: string, issues: Issues): void {
  if (min !== undefined && v < min) issues.invalid(path, v, `must be greater than or equal to ${min}`);
  if (max !== undefined && v > max) issues.invalid(path, v, `must be less than or equal to ${max}`);
}
