/** Validation results: each issue names the field path and the reason. */

export type IssueType =
  | 'Required'
  | 'Invalid'
  | 'Unsupported'
  | 'Unknown'
  | 'Duplicate'
  | 'TooLong'
  | 'TooMany'
  | 'Forbidden';

export interface ValidationIssue {
  /** Field path in Kubernetes form: `spec.template.spec.containers[0].image`. */
  path: string;
  type: IssueType;
  /** The full reason, e.g. `Required value` or `Invalid value: "Foo": must be ...`. */
  reason: string;
}

export function formatIssue(i: ValidationIssue): string {
  return `${i.path || "(object)"}: ${i.reason}`;
}

/** Thrown by assertValid; maps to INVALID_ARGUMENT at the API. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(readonly issues: readonly ValidationIssue[], readonly subject = 'object') {
    super(`${subject} is invalid: ${issues.map(formatIssue).join('; ')}`);
  }
}

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** Collects issues while walking an object. */
export class Issues {
  readonly list: ValidationIssue[] = [];
  required(path: string): void {
    this.list.push({ path, type: 'Required', reason: 'Required value' });
  }
  invalid(path: string, value: unknown, why: string): void {
    this.list.push({ path, type: 'Invalid', reason: `Invalid value: ${show(value)}: ${why}` });
  }
  unsupported(path: string, value: unknown, supported: readonly string[]): void {
    this.list.push({ path, type: 'Unsupported', reason: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` });
  }
  unknown(path: string): void {
    this.list.push({ path, type: 'Unknown', reason: 'unknown field' });
  }
  duplicate(path: string, value: unknown): void {
    this.list.push({ path, type: 'Duplicate', reason: `Duplicate value: ${show(value)}` });
  }
  tooLong(path: string, max: number, what = 'bytes'): void {
    this.list.push({ path, type: 'TooLong', reason: `Too long: must have at most ${max} ${what}` });
  }
  tooMany(path: string, max: number): void {
    this.list.push({ path, type: 'TooMany', reason: `Too many: must have at most ${max} items` });
  }
  forbidden(path: string, why: string): void {
    this.list.push({ path, type: 'Forbidden', reason: `Forbidden: ${why}` });
  }
}
