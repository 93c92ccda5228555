/**
 * Turns one query into one response: the cluster zone answers what it owns,
 * everything else is handed to the forwarder. Pure.
 */
import { DnsFormatError, RCode, RRType, decodeMessage, encodeMessage, type DnsMessage, type ResourceRecord } from './message.js';
import type { Lookup } from './cluster-records.js';

/** The UDP payload size we advertise and honour with EDNS0 (the 2020 flag-day value). */
export const EDNS_PAYLOAD = 1232;
const PLAIN_UDP_LIMIT = 512;

export type Decision =
  | { kind: 'answer'; response: Uint8Array }
  /** Not a cluster name: forward the raw query upstream. */
  | { kind: 'forward' }
  /** Not even a parseable header: drop it. */
  | { kind: 'drop' };

function reply(q: DnsMessage, rcode: number, aa: boolean, body: Partial<Pick<DnsMessage, 'answers' | 'authorities' | 'additionals'>> = {}): DnsMessage {
  return {
    id: q.id,
    flags: { qr: true, opcode: q.flags.opcode, aa, tc: false, rd: q.flags.rd, ra: true, rcode },
    questions: q.questions,
    answers: body.answers ?? [],
    authorities: body.authorities ?? [],
    additionals: body.additionals ?? [],
  };
}

function opt(): ResourceRecord {
  return { name: '', type: RRType.OPT, class: EDNS_PAYLOAD, ttl: 0, data: { kind: 'raw', bytes: new Uint8Array(0) } };
}

/** A response that says only `rcode`, for a query we could not fully parse. */
export function errorResponse(raw: Uint8Array, rcode: number): Uint8Array | undefined {
  if (raw.length < 12) return undefined;
  const out = new Uint8Array(12);
  out[0] = raw[0]!; out[1] = raw[1]!;
  out[2] = 0x80 | (raw[2]! & 0x79); // QR, opcode and RD copied
  out[3] = 0x80 | (rcode & 0xf); // RA
  return out;
}

/**
 * Decide what to do with the bytes of one query. `transport` sets the size
 * limit: over UDP, answers too big for the client are cut and flagged TC so it
 * retries over TCP.
 */
export function respond(raw: Uint8Array, lookup: Lookup, transport: 'udp' | 'tcp'): Decision {
  let q: DnsMessage;
  try {
    q = decodeMessage(raw);
  } catch (err) {
    if (!(err instanceof DnsFormatError)) throw err;
    const r = errorResponse(raw, RCode.FORMERR);
    return r ? { kind: 'answer', response: r } : { kind: 'drop' };
  }
  if (q.flags.qr) return { kind: 'drop' };
  const edns = q.additionals.find((rr) => rr.type === RRType.OPT);
  const extra = edns ? [opt()] : [];
  if (q.flags.opcode !== 0) return { kind: 'answer', response: encodeMessage(reply(q, RCode.NOTIMP, false, { additionals: extra })) };
  const question = q.questions[0];
  if (q.questions.length !== 1 || question === undefined) {
    return { kind: 'answer', response: encodeMessage(reply(q, RCode.FORMERR, false, { additionals: extra })) };
  }
  const a = lookup(question);
  if (a === undefined) return { kind: 'forward' };
  const full = reply(q, a.rcode, true, { answers: a.answers, authorities: a.authorities, additionals: [...a.additionals, ...extra] });
  let bytes = encodeMessage(full);
  const limit = transport === 'tcp' ? 0xffff : edns ? Math.max(PLAIN_UDP_LIMIT, Math.min(edns.class, EDNS_PAYLOAD)) : PLAIN_UDP_LIMIT;
  if (bytes.length > limit) {
    const cut = reply(q, a.rcode, true, { additionals: extra });
    cut.flags.tc = true;
    bytes = encodeMessage(cut);
  }
  return { kind: 'answer', response: bytes };
}
