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
  if (msg.t === 'push-pull') {
    if (!Array.isArray(msg.members) || !msg.members.every(validState)) throw new MessageDecodeError('malformed push-pull');
  } else if (!Array.isArray(msg.up) || !msg.up.every(validUpdate)) {
    throw new MessageDecodeError(`malformed ${msg.t}`);
  }
  return m as Message;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isMeta = (v: unknown): boolean => typeof v === 'object' && v !== null && Object.values(v).every(isStr);
const STATUSES = new Set(['alive', 'suspect', 'dead', 'left']);

/** Peers are not trusted to send well-formed facts: the core assumes them. */
function validUpdate(u: unknown): boolean {
  if (typeof u !== 'object' || u === null) return false;
  const x = u as Record<string, unknown>;
  if (!isStr(x['node']) || !isInt(x['inc'])) return false;
  if (x['t'] === 'alive') return isStr(x['addr']) && isInt(x['mv']) && isMeta(x['meta']);
  return (x['t'] === 'suspect' || x['t'] === 'dead') && isStr(x['from']);
}

function validState(s: unknown): boolean {
  if (typeof s !== 'object' || s === null) return false;
  const x = s as Record<string, unknown>;
  return isStr(x['node']) && isStr(x['addr']) && isInt(x['inc']) && isInt(x['mv']) && isMeta(x['meta']) && STATUSES.has(x['status'] as string);
}
