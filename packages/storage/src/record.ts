/**
 * Every stored value is a record: a CRC-32 of the payload (4 bytes,
 * big-endian) then the payload. A torn or bit-flipped value fails the check
 * instead of decoding into wrong data.
 */
import { crc32 } from 'node:zlib';

export function sealRecord(payload: Uint8Array): Uint8Array {
  // Not zeroed (every byte is written below), and pooled when small.
  const out = Buffer.allocUnsafe(payload.length + 4);
  out.writeUInt32BE(crc32(payload), 0);
  out.set(payload, 4);
  return out;
}

/** Header bytes before a record's payload. */
export const RECORD_HEADER_BYTES = 4;

/**
 * `sealRecord` without the copy: `record` holds the payload after
 * RECORD_HEADER_BYTES free bytes, which get the checksum. For the log's
 * entry runs (about 12 KB a save under load), encoded with that headroom.
 */
export function sealInPlace(record: Uint8Array): Uint8Array {
  if (record.length < RECORD_HEADER_BYTES) throw new RangeError('a record needs room for its header');
  new DataView(record.buffer, record.byteOffset, RECORD_HEADER_BYTES).setUint32(0, crc32(record.subarray(RECORD_HEADER_BYTES)));
  return record;
}

/** The payload, or undefined when the record is short or its checksum fails. */
export function openRecord(record: Uint8Array): Uint8Array | undefined {
  if (record.length < 4) return undefined;
  const want = new DataView(record.buffer, record.byteOffset, 4).getUint32(0);
  const payload = record.subarray(4);
  return crc32(payload) === want ? payload : undefined;
}
