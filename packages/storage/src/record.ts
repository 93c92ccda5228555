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

/** The payload, or undefined when the record is short or its checksum fails. */
export function openRecord(record: Uint8Array): Uint8Array | undefined {
  if (record.length < 4) return undefined;
  const want = new DataView(record.buffer, record.byteOffset, 4).getUint32(0);
  const payload = record.subarray(4);
  return crc32(payload) === want ? payload : undefined;
}
