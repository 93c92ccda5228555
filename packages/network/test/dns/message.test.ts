import t from 'tap';
import { DnsFormatError, RCode, RRType, decodeMessage, encodeMessage, queryMessage, type DnsMessage } from '../../src/dns/message.js';

t.test('a query round-trips', async (t) => {
  const q = queryMessage(0x1234, 'Web.Default.svc.cluster.local.', RRType.A);
  const bytes = encodeMessage(q);
  t.equal(bytes.length, 12 + 'web.default.svc.cluster.local'.length + 2 + 4);
  const back = decodeMessage(bytes);
  t.equal(back.id, 0x1234);
  t.equal(back.flags.rd, true);
  t.equal(back.flags.qr, false);
  t.same(back.questions, [{ name: 'web.default.svc.cluster.local', type: RRType.A, class: 1 }]);
});

t.test('answers of every kind round-trip, and names are compressed', async (t) => {
  const m: DnsMessage = {
    id: 7,
    flags: { qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, rcode: RCode.NOERROR },
    questions: [{ name: '_http._tcp.web.default.svc.cluster.local', type: RRType.SRV, class: 1 }],
    answers: [
      { name: '_http._tcp.web.default.svc.cluster.local', type: RRType.SRV, class: 1, ttl: 5, data: { kind: 'SRV', priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } },
    ],
    authorities: [
      { name: 'cluster.local', type: RRType.SOA, class: 1, ttl: 5, data: { kind: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 42, refresh: 1, retry: 2, expire: 3, minimum: 5 } },
    ],
    additionals: [
      { name: 'web.default.svc.cluster.local', type: RRType.A, class: 1, ttl: 5, data: { kind: 'A', address: '10.96.0.10' } },
      { name: '10.0.96.10.in-addr.arpa', type: RRType.PTR, class: 1, ttl: 5, data: { kind: 'PTR', target: 'web.default.svc.cluster.local' } },
      { name: '', type: RRType.OPT, class: 1232, ttl: 0, data: { kind: 'raw', bytes: new Uint8Array([0, 10, 0, 2, 1, 2]) } },
    ],
  };
  const bytes = encodeMessage(m);
  t.same(decodeMessage(bytes), m);
  // The owner names after the question are 2-byte pointers, not 40-byte names.
  const uncompressed = 40 * 4;
  t.ok(bytes.length < 12 + uncompressed + 100, `compressed size ${bytes.length}`);
});

t.test('decodes compression pointers written by someone else', async (t) => {
  // Hand-built: question "a.example" at offset 12, answer owner = pointer to 12,
  // CNAME target = "www" + pointer to "example" (offset 14).
  const bytes = new Uint8Array([
    0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
    1, 97, 7, 101, 120, 97, 109, 112, 108, 101, 0, 0, 5, 0, 1,
    0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 119, 119, 119, 0xc0, 14,
  ]);
  const m = decodeMessage(bytes);
  t.equal(m.answers[0]!.name, 'a.example');
  t.same(m.answers[0]!.data, { kind: 'CNAME', target: 'www.example' });
});

t.test('malformed messages are refused with DnsFormatError', async (t) => {
  t.throws(() => decodeMessage(new Uint8Array([0, 1, 0])), DnsFormatError, 'short header');
  // A pointer to itself (a loop) at offset 12.
  const loop = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  t.throws(() => decodeMessage(loop), DnsFormatError, 'pointer loop');
  // A forward pointer.
  const fwd = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 20, 0, 1, 0, 1, 0, 0, 0]);
  t.throws(() => decodeMessage(fwd), DnsFormatError, 'forward pointer');
  const truncatedLabel = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 97, 98]);
  t.throws(() => decodeMessage(truncatedLabel), DnsFormatError, 'label past the end');
  const badA = encodeMessage({
    id: 1, flags: { qr: true, opcode: 0, aa: false, tc: false, rd: false, ra: false, rcode: 0 }, questions: [],
    answers: [{ name: 'x', type: RRType.A, class: 1, ttl: 1, data: { kind: 'raw', bytes: new Uint8Array([1, 2, 3]) } }],
    authorities: [], additionals: [],
  });
  t.throws(() => decodeMessage(badA), DnsFormatError, 'A with 3 bytes');
  t.throws(() => encodeMessage(queryMessage(1, 'a..b', RRType.A)), DnsFormatError, 'empty label');
  t.throws(() => encodeMessage(queryMessage(1, 'x'.repeat(64), RRType.A)), DnsFormatError, 'label over 63');
});
