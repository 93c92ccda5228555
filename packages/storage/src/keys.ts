/**
 * LevelDB key layout. Entry keys are a prefix byte and the index as eight
 * big-endian bytes, so LevelDB's byte order is log order and a range scan
 * reads the log ascending.
 */
const ENTRY_PREFIX = 0x65; // 'e'

export const HARD_STATE_KEY = Uint8Array.of(0x68); // 'h'
export const CONF_STATE_KEY = Uint8Array.of(0x63); // 'c'
/** The whole snapshot in one record: the layout before snapshot files, still read. */
export const SNAPSHOT_KEY = Uint8Array.of(0x73); // 's'
/** The metadata of the snapshot whose data is in a snapshot file. */
export const SNAPSHOT_REF_KEY = Uint8Array.of(0x53); // 'S'

export function entryKey(index: number): Uint8Array {
  const k = new Uint8Array(9);
  k[0] = ENTRY_PREFIX;
  const view = new DataView(k.buffer);
  view.setUint32(1, Math.floor(index / 2 ** 32));
  view.setUint32(5, index >>> 0);
  return k;
}

export function entryKeyIndex(k: Uint8Array): number {
  if (k.length !== 9 || k[0] !== ENTRY_PREFIX) throw new RangeError('not an entry key');
  const view = new DataView(k.buffer, k.byteOffset, k.byteLength);
  return view.getUint32(1) * 2 ** 32 + view.getUint32(5);
}

/** The first key after every entry key (exclusive upper bound of a scan). */
export const ENTRY_KEY_END = Uint8Array.of(ENTRY_PREFIX + 1);
