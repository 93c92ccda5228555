/**
 * Every stored value is a record: a CRC-32 of the payload (4 bytes,
 * big-endian) then the payload. A torn or bit-flipped value fails the check
 * instead of decoding into wrong data.
 */
import { crc32 } from 'node:zlib';
import { allocBytes } from '@shoal/raft';

/** Header bytes before a record's payload. */
export const RECORD_HEADER_BYTES = 4;

export function sealRecord(payload: Uint8Array): Uint8Array {
  const out = allocBytes(payload.length + RECORD_HEADER_BYTES);
  out.set(payload, RECORD_HEADER_BYTES);
  return sealInPlace(out);
}

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
  if (record.length < RECORD_HEADER_BYTES) return undefined;
  const want = new DataView(record.buffer, record.byteOffset, RECORD_HEADER_BYTES).getUint32(0);
  const payload = record.subarray(RECORD_HEADER_BYTES);
  return crc32(payload) === want ? payload : undefined;
}
