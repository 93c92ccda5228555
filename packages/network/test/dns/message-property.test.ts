import t from 'tap';
import fc from 'fast-check';
import { DnsFormatError, RRType, decodeMessage, encodeMessage, type DnsMessage, type RecordData, type ResourceRecord } from '../../src/dns/message.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const name = fc.array(label, { minLength: 0, maxLength: 6 }).map((ls) => ls.join('.'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));

const data: fc.Arbitrary<[number, RecordData]> = fc.oneof(
  ipv4.map((address) => [RRType.A, { kind: 'A', address }] as [number, RecordData]),
  fc.record({ priority: u16, weight: u16, port: u16, target: name }).map((d) => [RRType.SRV, { kind: 'SRV', ...d }] as [number, RecordData]),
  name.map((target) => [RRType.PTR, { kind: 'PTR', target }] as [number, RecordData]),
  name.map((target) => [RRType.CNAME, { kind: 'CNAME', target }] as [number, RecordData]),
  fc.record({ mname: name, rname: name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 }).map((d) => [RRType.SOA, { kind: 'SOA', ...d }] as [number, RecordData]),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => [RRType.TXT, { kind: 'raw', bytes }] as [number, RecordData]),
);

const record: fc.Arbitrary<ResourceRecord> = fc.tuple(name, data, u16, u32).map(([n, [type, d], klass, ttl]) => ({ name: n, type, class: klass, ttl, data: d }));

const message: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16,
  flags: fc.record({ qr: fc.boolean(), opcode: fc.nat(15), aa: fc.boolean(), tc: fc.boolean(), rd: fc.boolean(), ra: fc.boolean(), rcode: fc.nat(15) }),
  questions: fc.array(fc.record({ name, type: u16, class: u16 }), { maxLength: 3 }),
  answers: fc.array(record, { maxLength: 5 }),
  authorities: fc.array(record, { maxLength: 2 }),
  additionals: fc.array(record, { maxLength: 3 }),
});

t.test('decode(encode(m)) is m, for any message', async (t) => {
  fc.assert(fc.property(message, (m) => {
    t.same(decodeMessage(encodeMessage(m)), m);
  }), { numRuns: 300 });
  t.pass();
});

t.test('decoding random or damaged bytes fails only with DnsFormatError', async (t) => {
  const check = (bytes: Uint8Array): void => {
    try {
      decodeMessage(bytes);
    } catch (err) {
      if (!(err instanceof DnsFormatError)) throw err;
    }
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => check(bytes)), { numRuns: 1000 });
  // Valid messages with bytes flipped or cut: pointers, lengths and counts go wrong.
  fc.assert(fc.property(message, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.nat(), (m, flips, cut) => {
    const bytes = encodeMessage(m);
    for (const [at, v] of flips) bytes[at % bytes.length] = v;
    check(bytes);
    check(bytes.subarray(0, cut % (bytes.length + 1)));
  }), { numRuns: 500 });
  t.pass();
});
