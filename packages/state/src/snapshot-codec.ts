/**
 * The snapshot format: JSON of the revision, the allocator cursors and every
 * object in the table's order (see ObjectTable.all: kinds, namespaces and
 * names in the order they were first inserted; a restore keeps it). Two
 * replicas with the same history produce the same bytes.
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
  // Each object's text is written straight into one growing buffer: joining
  // the texts and encoding them again (then concatenating the pieces) cost
  // as much as encoding the objects.
  const out = new GrowingBuffer(Math.max(64 * 1024, s.objects.length * 512));
  out.write(head.slice(0, -2));
  const step = Math.max(1, perSlice);
  for (let i = 0; i < s.objects.length; i++) {
    if (i > 0) {
      out.write(',');
      if (i % step === 0) await pause();
    }
    out.write(objectJson(s.objects[i]!));
  }
  out.write(']}');
  return out.bytes();
}

/** UTF-8 text appended into one buffer that doubles when full. */
class GrowingBuffer {
  private buf: Buffer;
  private length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const need = this.length + text.length * 3;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.length += this.buf.write(text, this.length);
  }

  /** The bytes written; copied out when the spare room is over a quarter (the snapshot is kept a while). */
  bytes(): Uint8Array {
    if (this.buf.length - this.length <= this.buf.length / 4) return this.buf.subarray(0, this.length);
    return Buffer.from(this.buf.subarray(0, this.length));
  }
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
