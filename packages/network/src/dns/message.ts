/**
 * A DNS message codec (RFC 1035, with SRV from RFC 2782 and the EDNS0 OPT
 * pseudo-record from RFC 6891): enough to answer the cluster's own names and
 * to read upstream answers. Pure: bytes in, values out, and back.
 */

export const RRType = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RRClass = { IN: 1, ANY: 255 } as const;
export const RCode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Question {
  /** Lower-case, dot-separated, without the trailing dot; '' is the root. */
  name: string;
  type: number;
  class: number;
}

export type RecordData =
  | { kind: 'A'; address: string }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { kind: 'PTR'; target: string }
  | { kind: 'CNAME'; target: string }
  | { kind: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  /** Any other type, kept as its wire bytes (OPT, AAAA, TXT...). */
  | { kind: 'raw'; bytes: Uint8Array };

export interface ResourceRecord {
  name: string;
  type: number;
  /** For OPT: the sender's UDP payload size. */
  class: number;
  ttl: number;
  data: RecordData;
}

export interface Flags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
}

export interface DnsMessage {
  id: number;
  flags: Flags;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
}

// ------------------------------------------------------------------ decoding

/** Pointers may only point backwards, so a name needs at most this many jumps. */
const MAX_POINTER_JUMPS = 64;

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DnsFormatError(`message truncated at byte ${this.pos}`);
  }
  u8(): number { this.need(1); return this.view.getUint8(this.pos++); }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos); this.pos += 4; return v; }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.slice(this.pos, this.pos + n); this.pos += n; return b; }

  /** A domain name at the cursor, following compression pointers. */
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumps = 0;
    let end = -1; // where the cursor resumes after the first pointer
    while (true) {
      if (pos >= this.buf.length) throw new DnsFormatError('name runs past the end of the message');
      const len = this.buf[pos]!;
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsFormatError('truncated compression pointer');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1]!;
        // Safety: a pointer must go strictly backwards, which also rules out loops.
        if (target >= pos || ++jumps > MAX_POINTER_JUMPS) throw new DnsFormatError('bad compression pointer');
        if (end < 0) end = pos + 2;
        pos = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsFormatError('unsupported label type');
      pos += 1;
      if (len === 0) break;
      if (pos + len > this.buf.length) throw new DnsFormatError('label runs past the end of the message');
      labels.push(String.fromCharCode(...this.buf.subarray(pos, pos + len)).toLowerCase());
      pos += len;
    }
    this.pos = end >= 0 ? end : pos;
    const name = labels.join('.');
    if (name.length > 253) throw new DnsFormatError('name longer than 253 characters');
    return name;
  }
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const rdlen = r.u16();
  r.need(rdlen);
  const start = r.pos;
  let data: RecordData;
  switch (type) {
    case RRType.A:
      if (rdlen !== 4) throw new DnsFormatError('A record with rdlength != 4');
      data = { kind: 'A', address: `${r.u8()}.${r.u8()}.${r.u8()}.${r.u8()}` };
      break;
    case RRType.SRV:
      data = { kind: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
      break;
    case RRType.PTR:
      data = { kind: 'PTR', target: r.name() };
      break;
    case RRType.CNAME:
      data = { kind: 'CNAME', target: r.name() };
      break;
    case RRType.SOA:
      data = { kind: 'SOA', mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
      break;
    default:
      data = { kind: 'raw', bytes: r.bytes(rdlen) };
  }
  if (r.pos !== start + rdlen) throw new DnsFormatError(`rdata of type ${type} does not match its rdlength`);
  return { name, type, class: klass, ttl, data };
}

export function decodeMessage(buf: Uint8Array): DnsMessage {
  const r = new Reader(buf);
  const id = r.u16();
  const f = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const flags: Flags = {
    qr: (f & 0x8000) !== 0,
    opcode: (f >> 11) & 0xf,
    aa: (f & 0x0400) !== 0,
    tc: (f & 0x0200) !== 0,
    rd: (f & 0x0100) !== 0,
    ra: (f & 0x0080) !== 0,
    rcode: f & 0xf,
  };
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  const section = (n: number): ResourceRecord[] => Array.from({ length: n }, () => readRecord(r));
  return { id, flags, questions, answers: section(counts[1]), authorities: section(counts[2]), additionals: section(counts[3]) };
}

// ------------------------------------------------------------------ encoding

class Writer {
  private buf = new Uint8Array(512);
  private view = new DataView(this.buf.buffer);
  pos = 0;
  /** Offsets of names already written, for compression pointers. */
  private readonly names = new Map<string, number>();

  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.grow(1); this.view.setUint8(this.pos++, v); }
  u16(v: number): void { this.grow(2); this.view.setUint16(this.pos, v); this.pos += 2; }
  u32(v: number): void { this.grow(4); this.view.setUint32(this.pos, v >>> 0); this.pos += 4; }
  bytes(b: Uint8Array): void { this.grow(b.length); this.buf.set(b, this.pos); this.pos += b.length; }
  setU16(at: number, v: number): void { this.view.setUint16(at, v); }

  name(name: string, compress: boolean): void {
    const labels = name === '' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const seen = this.names.get(suffix);
      if (compress && seen !== undefined) {
        this.u16(0xc000 | seen);
        return;
      }
      // Only offsets that fit in 14 bits can be pointed at.
      if (this.pos < 0x4000) this.names.set(suffix, this.pos);
      const label = labels[i]!;
      if (label.length === 0 || label.length > 63) throw new DnsFormatError(`bad label in ${JSON.stringify(name)}`);
      this.u8(label.length);
      for (let j = 0; j < label.length; j++) this.u8(label.charCodeAt(j) & 0xff);
    }
    this.u8(0);
  }
  result(): Uint8Array { return this.buf.slice(0, this.pos); }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name, true);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.pos;
  w.u16(0);
  const d = rr.data;
  switch (d.kind) {
    case 'A': {
      const parts = d.address.split('.').map(Number);
      if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new DnsFormatError(`bad IPv4 address ${d.address}`);
      for (const p of parts) w.u8(p);
      break;
    }
    case 'SRV':
      w.u16(d.priority); w.u16(d.weight); w.u16(d.port);
      w.name(d.target, false); // RFC 2782: no compression in the target
      break;
    case 'PTR':
    case 'CNAME':
      w.name(d.target, true);
      break;
    case 'SOA':
      w.name(d.mname, true); w.name(d.rname, true);
      w.u32(d.serial); w.u32(d.refresh); w.u32(d.retry); w.u32(d.expire); w.u32(d.minimum);
      break;
    case 'raw':
      w.bytes(d.bytes);
  }
  w.setU16(lenAt, w.pos - lenAt - 2);
}

export function encodeMessage(m: DnsMessage): Uint8Array {
  const w = new Writer();
  const f = m.flags;
  w.u16(m.id);
  w.u16((f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x0400 : 0) | (f.tc ? 0x0200 : 0) | (f.rd ? 0x0100 : 0) | (f.ra ? 0x0080 : 0) | (f.rcode & 0xf));
  w.u16(m.questions.length);
  w.u16(m.answers.length);
  w.u16(m.authorities.length);
  w.u16(m.additionals.length);
  for (const q of m.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rr of [...m.answers, ...m.authorities, ...m.additionals]) writeRecord(w, rr);
  return w.result();
}

/** A query for one name, as a stub resolver sends it. */
export function queryMessage(id: number, name: string, type: number): DnsMessage {
  return {
    id,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
    questions: [{ name: name.toLowerCase().replace(/\.$/, ''), type, class: RRClass.IN }],
    answers: [], authorities: [], additionals: [],
  };
}
