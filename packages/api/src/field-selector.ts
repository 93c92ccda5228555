/**
 * Field selectors (`kubectl --field-selector`): `metadata.name=web-1,spec.nodeName!=n2`.
 * Only the fields below are supported, as in Kubernetes, where each kind
 * indexes a few fields; `=`, `==` and `!=` are the operators. A field a kind
 * does not have reads as ''.
 */
import type { KubeObject } from './types.js';

export const SELECTABLE_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'status.phase',
  // Events, for `describe`: the events of one object.
  'involvedObject.kind',
  'involvedObject.name',
  'involvedObject.namespace',
  'involvedObject.uid',
  'reason',
  'type',
] as const;
export type SelectableField = (typeof SELECTABLE_FIELDS)[number];

export interface FieldRequirement {
  field: SelectableField;
  operator: '=' | '!=';
  value: string;
}
export type FieldSelector = FieldRequirement[];

export class FieldSelectorError extends Error {
  override name = 'FieldSelectorError';
  constructor(readonly text: string, reason: string) {
    super(`invalid field selector ${JSON.stringify(text)}: ${reason}`);
  }
}

export function parseFieldSelector(text: string): FieldSelector {
  const out: FieldSelector = [];
  if (text.trim() === '') return out;
  for (const term of text.split(',')) {
    const m = /^\s*([A-Za-z.]+)\s*(==|!=|=)\s*([^\s,]*)\s*$/.exec(term);
    if (!m) throw new FieldSelectorError(text, `term ${JSON.stringify(term)} must be <field>=<value> or <field>!=<value>`);
    const [, field = '', op, value = ''] = m;
    if (!(SELECTABLE_FIELDS as readonly string[]).includes(field)) {
      throw new FieldSelectorError(text, `field ${JSON.stringify(field)} is not supported; supported fields: ${SELECTABLE_FIELDS.join(', ')}`);
    }
    out.push({ field: field as SelectableField, operator: op === '!=' ? '!=' : '=', value });
  }
  return out;
}

/** The value of a selectable field ('' when unset, as Kubernetes compares). */
export function fieldValue(obj: KubeObject, field: SelectableField): string {
  switch (field) {
    case 'metadata.name':
      return obj.metadata.name ?? '';
    case 'metadata.namespace':
      return obj.metadata.namespace ?? '';
    case 'spec.nodeName':
      return ((obj.spec as { nodeName?: string } | undefined)?.nodeName) ?? '';
    case 'status.phase':
      return ((obj.status as { phase?: string } | undefined)?.phase) ?? '';
    case 'involvedObject.kind':
    case 'involvedObject.name':
    case 'involvedObject.namespace':
    case 'involvedObject.uid': {
      const io = (obj as { involvedObject?: Record<string, unknown> }).involvedObject;
      const v = io?.[field.slice('involvedObject.'.length)];
      return typeof v === 'string' ? v : '';
    }
    case 'reason':
    case 'type': {
      const v = (obj as unknown as Record<string, unknown>)[field];
      return obj.kind === 'Event' && typeof v === 'string' ? v : '';
    }
  }
}

export function matchesFieldSelector(sel: FieldSelector | undefined, obj: KubeObject): boolean {
  if (!sel) return true;
  for (const r of sel) {
    const equal = fieldValue(obj, r.field) === r.value;
    if (equal !== (r.operator === '=')) return false;
  }
  return true;
}

export function formatFieldSelector(sel: FieldSelector | undefined): string {
  return (sel ?? []).map((r) => `${r.field}${r.operator}${r.value}`).join(',');
}
