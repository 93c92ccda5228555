/**
 * The byte encoding of a ConfChange inside a log entry: a version byte, the
 * change type, the node id (length-prefixed UTF-8) and the context.
 */
import { ConfChangeType, type ConfChange } from '../types.js';

const VERSION = 1;

export class ConfChangeDecodeError extends Error {
  override name = 'ConfChangeDecodeError';
}

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const node = new TextEncoder().encode(cc.node);
  const ctx = cc.context ?? new Uint8Array(0);
  const out = new Uint8Array(2 + 4 + node.length + ctx.length);
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  out[1] = cc.type;
  view.setUint32(2, node.length);
  out.set(node, 6);
  out.set(ctx, 6 + node.length);
  return out;
}

export function decodeConfChange(b: Uint8Array): ConfChange {
  if (b.length < 6 || b[0] !== VERSION) throw new ConfChangeDecodeError('conf change: bad header');
  const type = b[1]!;
  if (!(type in ConfChangeType)) throw new ConfChangeDecodeError(`conf change: unknown type ${type}`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const len = view.getUint32(2);
  if (6 + len > b.length) throw new ConfChangeDecodeError('conf change: truncated node id');
  const node = new TextDecoder().decode(b.subarray(6, 6 + len));
  const rest = b.subarray(6 + len);
  const cc: ConfChange = { type: type as ConfChangeType, node };
  if (rest.length > 0) cc.context = rest.slice();
  return cc;
}
