import type { Entry } from '../types.js';

/** Fixed per-entry overhead counted with the payload when sizing messages. */
const ENTRY_OVERHEAD = 16;

/** The bytes an entry counts for in message and in-flight limits. */
export function entrySize(e: Entry): number {
  return e.data.length + ENTRY_OVERHEAD;
}

/** The payload bytes only (for the uncommitted-size limit, as in etcd). */
export function payloadSize(entries: readonly Entry[]): number {
  let n = 0;
  for (const e of entries) n += e.data.length;
  return n;
}

/**
 * The end (exclusive) of the longest run `arr[from..end)` within `to` whose
 * size is at most `maxBytes`, but at least one entry. Lets callers slice
 * only what they send instead of copying a long range first.
 */
export function limitEnd(arr: readonly Entry[], from: number, to: number, maxBytes: number): number {
  if (maxBytes === Infinity || to - from <= 1) return to;
  let size = entrySize(arr[from]!);
  let end = from + 1;
  for (; end < to; end++) {
    size += entrySize(arr[end]!);
    if (size > maxBytes) break;
  }
  return end;
}
