/**
 * The snapshot format: JSON of the revision, the allocator cursors and every
 * object in key order. Two replicas with the same history produce the same
 * bytes.
 */
import type { KubeObject } from '@shoal/api';
import { SnapshotError } from './errors.js';
import { objectJson } from './object-json.js';
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

/**
 * The same bytes as `encodeSnapshot`, built `perSlice` objects at a time with
 * `pause()` awaited between slices, so a large store is encoded without
 * holding the caller's event loop for the whole of it. The objects are
 * frozen (the store never mutates a stored object), so the capture in `s`
 * stays what it was while the store goes on applying.
 */
export async function encodeSnapshotInSlices(s: SnapshotData, perSlice: number, pause: () => Promise<void>): Promise<Uint8Array> {
  const head = JSON.stringify({ ...s, objects: [] });
  // The header ends with `"objects":[]}`: the objects go between the brackets.
  const parts: Buffer[] = [Buffer.from(head.slice(0, -2))];
  const step = Math.max(1, perSlice);
  for (let i = 0; i < s.objects.length; i += step) {
    const text = s.objects.slice(i, i + step).map((o) => objectJson(o)).join(',');
    parts.push(Buffer.from(i === 0 ? text : `,${text}`));
    if (i + step < s.objects.length) await pause();
  }
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
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
