/**
 * The snapshot format: JSON of the revision, the allocator cursors and every
 * object in key order. Two replicas with the same history produce the same
 * bytes.
 */
import type { KubeObject } from '@shoal/api';
import { SnapshotError } from './errors.js';
import type { StoredObject } from './object-table.js';

export const SNAPSHOT_FORMAT = 'shoal-state/1';

export interface SnapshotData {
  format: typeof SNAPSHOT_FORMAT;
  revision: number;
  clusterIPCursor: number;
  nodePortCursor: number;
  objects: readonly StoredObject[];
}

export function encodeSnapshot(s: SnapshotData): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s));
}

export function decodeSnapshot(data: Uint8Array): SnapshotData {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(data));
  } catch (e) {
    throw new SnapshotError('snapshot is not valid JSON', { cause: e });
  }
  const s = v as Partial<SnapshotData> | null;
  if (!s || s.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`snapshot format must be ${SNAPSHOT_FORMAT}`);
  for (const f of ['revision', 'clusterIPCursor', 'nodePortCursor'] as const) {
    if (!Number.isSafeInteger(s[f]) || (s[f] as number) < 0) throw new SnapshotError(`snapshot ${f} must be a non-negative integer`);
  }
  if (!Array.isArray(s.objects)) throw new SnapshotError('snapshot objects must be a list');
  s.objects.forEach((o: Partial<KubeObject>, i) => {
    if (!o || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') throw new SnapshotError(`snapshot object ${i} has no kind or name`);
  });
  return s as SnapshotData;
}
