import t from 'tap';
import { ClusterRecords } from '../../src/dns/cluster-records.js';
import { RCode, RRType, decodeMessage, encodeMessage, queryMessage } from '../../src/dns/message.js';
import { errorResponse, respond } from '../../src/dns/responder.js';
import { parseResolvConf, upstreamsFrom } from '../../src/dns/resolv-conf.js';
import { MemoryReader, endpoints, service } from '../helpers/objects.js';

const many = Array.from({ length: 60 }, (_, i) => ({ ip: `10.210.1.${i + 1}` }));
const zone = new ClusterRecords(() => new MemoryReader([
  service('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] }),
  service('big', { clusterIP: 'None', ports: [{ port: 80 }] }),
  endpoints('big', [{ addresses: many }]),
]));

function ask(name: string, type: number = RRType.A, edns?: number, transport: 'udp' | 'tcp' = 'udp') {
  const m = queryMessage(99, name, type);
  if (edns !== undefined) m.additionals.push({ name: '', type: RRType.OPT, class: edns, ttl: 0, data: { kind: 'raw', bytes: new Uint8Array() } });
  return respond(encodeMessage(m), zone.lookup, transport);
}

t.test('cluster names are answered authoritatively', async (t) => {
  const d = ask('web.default.svc.cluster.local');
  if (d.kind !== 'answer') throw new Error('expected an answer');
  const m = decodeMessage(d.response);
  t.equal(m.id, 99);
  t.ok(m.flags.qr && m.flags.aa && m.flags.ra && m.flags.rd);
  t.equal(m.flags.rcode, RCode.NOERROR);
  t.same(m.questions, [{ name: 'web.default.svc.cluster.local', type: RRType.A, class: 1 }]);
  t.same(m.answers[0]!.data, { kind: 'A', address: '10.96.0.10' });
  t.equal(m.additionals.length, 0, 'no OPT when the query had none');
});

t.test('NXDOMAIN inside the domain; other names go to the forwarder', async (t) => {
  const d = ask('nope.default.svc.cluster.local');
  t.equal(d.kind === 'answer' && decodeMessage(d.response).flags.rcode, RCode.NXDOMAIN);
  t.same(ask('example.com'), { kind: 'forward' });
});

t.test('EDNS0: an OPT in the query gets an OPT back and a bigger size limit', async (t) => {
  const d = ask('web.default.svc.cluster.local', RRType.A, 4096);
  const m = d.kind === 'answer' ? decodeMessage(d.response) : undefined;
  t.equal(m?.additionals[0]!.type, RRType.OPT);
  t.equal(m?.additionals[0]!.class, 1232);
  // 60 A records: ~ 60*16 bytes: over 512, under 1232.
  const plain = ask('big.default.svc.cluster.local');
  const pm = plain.kind === 'answer' ? decodeMessage(plain.response) : undefined;
  t.equal(pm?.flags.tc, true, 'truncated over plain UDP');
  t.equal(pm?.answers.length, 0);
  const withEdns = ask('big.default.svc.cluster.local', RRType.A, 4096);
  t.equal(withEdns.kind === 'answer' && decodeMessage(withEdns.response).answers.length, 60);
  const tcp = ask('big.default.svc.cluster.local', RRType.A, undefined, 'tcp');
  t.equal(tcp.kind === 'answer' && decodeMessage(tcp.response).answers.length, 60, 'TCP is not cut');
});

t.test('garbage, responses, other opcodes and multi-question queries', async (t) => {
  t.same(respond(new Uint8Array([1, 2, 3]), zone.lookup, 'udp'), { kind: 'drop' });
  const bad = respond(new Uint8Array([0, 5, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12]), zone.lookup, 'udp');
  t.equal(bad.kind === 'answer' && decodeMessage(bad.response).flags.rcode, RCode.FORMERR);
  const resp = queryMessage(1, 'a', RRType.A);
  resp.flags.qr = true;
  t.same(respond(encodeMessage(resp), zone.lookup, 'udp'), { kind: 'drop' }, 'never answer an answer');
  const notify = queryMessage(1, 'a', RRType.A);
  notify.flags.opcode = 4;
  const n = respond(encodeMessage(notify), zone.lookup, 'udp');
  t.equal(n.kind === 'answer' && decodeMessage(n.response).flags.rcode, RCode.NOTIMP);
  const two = queryMessage(1, 'a', RRType.A);
  two.questions.push({ name: 'b', type: RRType.A, class: 1 });
  const tw = respond(encodeMessage(two), zone.lookup, 'udp');
  t.equal(tw.kind === 'answer' && decodeMessage(tw.response).flags.rcode, RCode.FORMERR);
  const sf = errorResponse(encodeMessage(queryMessage(0xabcd, 'x', RRType.A)), RCode.SERVFAIL)!;
  const sm = decodeMessage(sf);
  t.equal(sm.id, 0xabcd);
  t.equal(sm.flags.rcode, RCode.SERVFAIL);
  t.ok(sm.flags.qr && sm.flags.rd);
});

t.test('resolv.conf: nameservers, minus loopback and our own addresses', async (t) => {
  const text = '# host\nsearch example.org\nnameserver 127.0.0.53\nnameserver 10.255.255.53 # dc\n nameserver 10.210.0.1\noptions ndots:2\nnameserver ::1\nnameserver 9.9.9.9\n';
  t.same(parseResolvConf(text), ['127.0.0.53', '10.255.255.53', '10.210.0.1', '::1', '9.9.9.9']);
  t.same(upstreamsFrom(parseResolvConf(text), ['10.210.0.1']), ['10.255.255.53', '9.9.9.9']);
});
