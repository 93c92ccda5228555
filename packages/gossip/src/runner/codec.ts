/**
 * Wire encoding: one JSON object per datagram or stream frame,
 * `{"c": clusterId, "m": message}`. JSON keeps the format debuggable; the core
 * packs piggybacked updates to stay under the datagram budget (see
 * docs/gossip.md for measured sizes). Messages of another cluster are dropped.
 */
import type { Message } from '../core/types.js';
import { MessageDecodeError } from '../errors.js';

const KINDS = new Set(['ping', 'ping-req', 'ack', 'nack', 'gossip', 'push-pull']);

export function encodeMessage(clusterId: string, msg: Message): Buffer {
  return Buffer.from(JSON.stringify({ c: clusterId, m: msg }));
}

/** The message, or undefined when it belongs to another cluster. Throws MessageDecodeError on garbage. */
export function decodeMessage(clusterId: string, buf: Buffer): Message | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new MessageDecodeError('not JSON', { cause: err });
  }
  if (typeof raw !== 'object' || raw === null) throw new MessageDecodeError('not an object');
  const { c, m } = raw as { c?: unknown; m?: unknown };
  if (typeof c !== 'string') throw new MessageDecodeError('no cluster id');
  if (c !== clusterId) return undefined;
  if (typeof m !== 'object' || m === null) throw new MessageDecodeError('no message');
  const msg = m as { t?: unknown; up?: unknown; members?: unknown };
  if (typeof msg.t !== 'string' || !KINDS.has(msg.t)) throw new MessageDecodeError(`unknown kind ${String(msg.t)}`);
  if (msg.t === 'push-pull' ? !Array.isArray(msg.members) : !Array.isArray(msg.up)) throw new MessageDecodeError(`malformed ${msg.t}`);
  return m as Message;
}
