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
 * The longest prefix of `entries` whose total size is at most `maxBytes`,
 * but always at least one entry so progress is never blocked by a large one.
 */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0 || maxBytes === Infinity) return entries;
  let size = entrySize(entries[0]!);
  let n = 1;
  for (; n < entries.length; n++) {
    size += entrySize(entries[n]!);
    if (size > maxBytes) break;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}
