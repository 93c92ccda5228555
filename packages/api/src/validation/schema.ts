/**
 * The field schema language: every field a manifest may carry, written as
 * data. The walker in walk.ts checks types, formats, ranges and enums from
 * these descriptions and refuses any field not listed, by name.
 */

/** Named string syntaxes (checked in formats.ts). */
export type Format =
  | 'dns1123Label'
  | 'dns1123Subdomain'
  | 'qualifiedName'
  | 'labelValue'
  | 'rfc3339'
  | 'ipv4'
  | 'envVarName'
  | 'portName'
  | 'configMapKey'
  | 'base64'
  | 'absolutePath'
  | 'cron';

interface Common {
  /** The field must be present (and non-empty for strings and arrays). */
  required?: boolean;
}

export type FieldSchema = Common &
  (
    | { type: 'string'; enum?: readonly string[]; format?: Format; maxLength?: number }
    | { type: 'integer'; min?: number; max?: number }
    | { type: 'boolean' }
    /** An integer, or a string (a percentage when `percent`, else a port name). */
    | { type: 'intOrString'; min?: number; max?: number; percent?: boolean }
    | { type: 'quantity' }
    | { type: 'object'; fields: Readonly<Record<string, FieldSchema>> }
    | { type: 'array'; items: FieldSchema; minItems?: number; maxItems?: number }
    | { type: 'map'; values: FieldSchema; keyFormat?: Format }
    /** An object that must be empty (e.g. `status.loadBalancer`). */
    | { type: 'empty' }
  );

type Opts<T extends FieldSchema['type']> = Omit<Extract<FieldSchema, { type: T }>, 'type'>;

export const str = (o: Opts<'string'> = {}): FieldSchema => ({ type: 'string', ...o });
export const oneOf = (values: readonly string[], o: Opts<'string'> = {}): FieldSchema => ({ type: 'string', enum: values, ...o });
export const fmt = (format: Format, o: Opts<'string'> = {}): FieldSchema => ({ type: 'string', format, ...o });
export const int = (o: Opts<'integer'> = {}): FieldSchema => ({ type: 'integer', ...o });
export const nonNeg = (o: Opts<'integer'> = {}): FieldSchema => ({ type: 'integer', min: 0, ...o });
export const positive = (o: Opts<'integer'> = {}): FieldSchema => ({ type: 'integer', min: 1, ...o });
export const port = (o: Opts<'integer'> = {}): FieldSchema => ({ type: 'integer', min: 1, max: 65535, ...o });
export const bool = (o: Opts<'boolean'> = {}): FieldSchema => ({ type: 'boolean', ...o });
export const intOrStr = (o: Opts<'intOrString'> = {}): FieldSchema => ({ type: 'intOrString', ...o });
export const quantity = (o: Opts<'quantity'> = {}): FieldSchema => ({ type: 'quantity', ...o });
export const obj = (fields: Record<string, FieldSchema>, o: Common = {}): FieldSchema => ({ type: 'object', fields, ...o });
export const arr = (items: FieldSchema, o: Omit<Opts<'array'>, 'items'> = {}): FieldSchema => ({ type: 'array', ...o, items });
export const map = (values: FieldSchema, o: Omit<Opts<'map'>, 'values'> = {}): FieldSchema => ({ type: 'map', ...o, values });
export const empty = (): FieldSchema => ({ type: 'empty' });
/** The same schema, marked required. */
export const req = (s: FieldSchema): FieldSchema => ({ ...s, required: true });
