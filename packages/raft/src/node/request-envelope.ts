/**
 * Every proposal travels wrapped with the id of the request that made it:
 * the proposing node, that process's incarnation, and a counter. The node
 * that proposed recognizes its own entries when it applies them, wherever
 * the leader was; the incarnation keeps a restarted node from mistaking its
 * previous life's entries (replayed from the log) for new ones.
 */
import { ByteReader, ByteWriter } from './byte-codec.js';

const ENVELOPE_V1 = 0x01;

export interface RequestId {
  node: string;
  incarnation: number;
  seq: number;
}

export interface Envelope {
  id: RequestId;
  payload: Uint8Array;
}

export function wrapRequest(id: RequestId, payload: Uint8Array): Uint8Array {
  const w = new ByteWriter(payload.length + id.node.length + 24);
  w.u8(ENVELOPE_V1);
  w.string(id.node);
  w.uvarint(id.incarnation);
  w.uvarint(id.seq);
  w.bytes(payload);
  return w.finish();
}

export function unwrapRequest(data: Uint8Array): Envelope {
  const r = new ByteReader(data);
  const version = r.u8();
  if (version !== ENVELOPE_V1) throw new RangeError(`unknown request envelope version ${version}`);
  const id = { node: r.string(), incarnation: r.uvarint(), seq: r.uvarint() };
  // A view: the entry's bytes never change, and the state machine decodes
  // the payload at once (a copy per apply on every member was garbage).
  const payload = r.view();
  r.end();
  return { id, payload };
}

/** A ReadIndex request context: the same id without a payload. */
export function encodeRequestId(id: RequestId): Uint8Array {
  return wrapRequest(id, new Uint8Array(0));
}

export function decodeRequestId(b: Uint8Array): RequestId | undefined {
  try {
    return unwrapRequest(b).id;
  } catch {
    return undefined;
  }
}
