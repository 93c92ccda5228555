/**
 * Field selectors of the test double: "path=value,path!=value" over the few
 * paths api.proto lists. Unknown paths are an INVALID_ARGUMENT, as on a node.
 */
import type { KubeObject } from '@shoal/api';
import { status as Status } from '@grpc/grpc-js';
import { shoalStatusError } from '../status.js';

export interface FieldRequirement { path: string; value: string; negate: boolean }

const PATHS: Record<string, (o: KubeObject) => string> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
  'spec.nodeName': (o) => String((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ''),
  'status.phase': (o) => String((o.status as { phase?: string } | undefined)?.phase ?? ''),
  'involvedObject.kind': (o) => String((o as { involvedObject?: { kind?: string } }).involvedObject?.kind ?? ''),
  'involvedObject.name': (o) => String((o as { involvedObject?: { name?: string } }).involvedObject?.name ?? ''),
  'involvedObject.uid': (o) => String((o as { involvedObject?: { uid?: string } }).involvedObject?.uid ?? ''),
};

export function parseFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const term of text.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^([\w.]+)\s*(!=|==|=)\s*(.*)$/.exec(term);
    if (!m) throw shoalStatusError(Status.INVALID_ARGUMENT, `field_selector: cannot parse ${JSON.stringify(term)}`, { field: 'field_selector', reason: 'Invalid' });
    const [, path, op, value] = m as unknown as [string, string, string, string];
    if (!PATHS[path]) throw shoalStatusError(Status.INVALID_ARGUMENT, `field_selector: unsupported field ${JSON.stringify(path)}`, { field: 'field_selector', reason: 'Invalid' });
    out.push({ path, value, negate: op === '!=' });
  }
  return out;
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => (PATHS[r.path]!(obj) === r.value) !== r.negate);
}
