import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { silentLogger } from '@shoal/log';
import { ClusterRecords } from '../../src/dns/cluster-records.js';
import { DnsServer } from '../../src/dns/dns-server.js';
import { RCode, RRType, decodeMessage, encodeMessage, queryMessage, type DnsMessage } from '../../src/dns/message.js';
import { MemoryReader, endpoints, service } from '../helpers/objects.js';

const reader = new MemoryReader([
  service('web', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }] }),
  service('db', { clusterIP: 'None', ports: [{ port: 5432 }] }),
  endpoints('db', [{ addresses: [{ ip: '10.210.1.7', hostname: 'db-0' }] }]),
]);
const zone = new ClusterRecords(() => reader);

async function udpAsk(port: number, name: string, type: number = RRType.A, id = 4242): Promise<DnsMessage> {
  const sock = createSocket('udp4');
  try {
    return await new Promise<DnsMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer for ${name}`)), 5000);
      sock.on('message', (msg) => { clearTimeout(timer); resolve(decodeMessage(new Uint8Array(msg))); });
      sock.send(encodeMessage(queryMessage(id, name, type)), port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

async function tcpAsk(port: number, name: string): Promise<DnsMessage> {
  const c = connect(port, '127.0.0.1');
  try {
    return await new Promise<DnsMessage>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      c.on('error', reject);
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) resolve(decodeMessage(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)))));
      });
      const q = encodeMessage(queryMessage(7, name, RRType.A));
      const head = Buffer.alloc(2);
      head.writeUInt16BE(q.length);
      // Split the frame in two writes: the server must reassemble it.
      c.write(Buffer.concat([head, q.subarray(0, 5)]));
      setTimeout(() => c.write(q.subarray(5)), 20);
    });
  } finally {
    c.destroy();
  }
}

/** A fake upstream resolver that answers every A query with 192.0.2.99. */
async function fakeUpstream(): Promise<{ sock: Socket; port: number; seen: string[] }> {
  const sock = createSocket('udp4');
  const seen: string[] = [];
  sock.on('message', (msg, r) => {
    const q = decodeMessage(new Uint8Array(msg));
    seen.push(q.questions[0]!.name);
    const resp: DnsMessage = {
      ...q, flags: { ...q.flags, qr: true, ra: true },
      answers: [{ name: q.questions[0]!.name, type: RRType.A, class: 1, ttl: 60, data: { kind: 'A', address: '192.0.2.99' } }],
    };
    sock.send(encodeMessage(resp), r.port, r.address);
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  return { sock, port: sock.address().port, seen };
}

t.test('answers cluster names over UDP and TCP, forwards the rest', async (t) => {
  const up = await fakeUpstream();
  t.teardown(() => up.sock.close());
  const server = new DnsServer(zone.lookup, { host: '127.0.0.1', port: 0, upstreams: [`127.0.0.1:${up.port}`], logger: silentLogger });
  const { port } = await server.start();
  t.teardown(() => server.stop());

  const a = await udpAsk(port, 'web.default.svc.cluster.local');
  t.equal(a.id, 4242);
  t.same(a.answers.map((r) => r.data), [{ kind: 'A', address: '10.96.0.10' }]);
  const srv = await udpAsk(port, '_http._tcp.web.default.svc.cluster.local', RRType.SRV);
  t.equal(srv.answers[0]!.data.kind === 'SRV' && srv.answers[0]!.data.port, 80);
  t.same((await udpAsk(port, 'db-0.db.default.svc.cluster.local')).answers.map((r) => r.data), [{ kind: 'A', address: '10.210.1.7' }]);
  t.equal((await udpAsk(port, 'nope.default.svc.cluster.local')).flags.rcode, RCode.NXDOMAIN);

  const ext = await udpAsk(port, 'example.com', RRType.A, 777);
  t.equal(ext.id, 777);
  t.same(ext.answers.map((r) => r.data), [{ kind: 'A', address: '192.0.2.99' }]);
  t.same(up.seen, ['example.com'], 'only the outside name reached the upstream');

  const overTcp = await tcpAsk(port, 'web.default.svc.cluster.local');
  t.same(overTcp.answers.map((r) => r.data), [{ kind: 'A', address: '10.96.0.10' }]);
});

t.test('a silent upstream gives SERVFAIL after the timeout, no upstream gives it at once', async (t) => {
  const silent = createSocket('udp4');
  await new Promise<void>((res) => silent.bind(0, '127.0.0.1', () => res()));
  t.teardown(() => silent.close());
  const server = new DnsServer(zone.lookup, {
    host: '127.0.0.1', port: 0, tcp: false, upstreams: [`127.0.0.1:${silent.address().port}`], forwardTimeoutMs: 200, logger: silentLogger,
  });
  const { port } = await server.start();
  t.teardown(() => server.stop());
  const m = await udpAsk(port, 'example.com');
  t.equal(m.flags.rcode, RCode.SERVFAIL);
  t.equal(m.id, 4242);

  const lonely = new DnsServer(zone.lookup, { host: '127.0.0.1', port: 0, tcp: false, upstreams: [], logger: silentLogger });
  const p2 = (await lonely.start()).port;
  t.teardown(() => lonely.stop());
  t.equal((await udpAsk(p2, 'example.com')).flags.rcode, RCode.SERVFAIL);
  t.equal((await udpAsk(p2, 'web.default.svc.cluster.local')).answers.length, 1, 'cluster names still answered');
});

t.test('a port taken only for TCP fails cleanly: the UDP socket is released', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const s = new DnsServer(zone.lookup, { host: '127.0.0.1', port, upstreams: [], logger: silentLogger });
  await t.rejects(s.start(), { name: 'DnsServerError', message: /tcp/ });
  // The UDP port is free again.
  const probe = createSocket('udp4');
  await new Promise<void>((resolve, reject) => { probe.once('error', reject); probe.bind(port, '127.0.0.1', () => resolve()); });
  probe.close();
  t.pass('udp port released');
});

t.test('a taken port is a DnsServerError', async (t) => {
  const a = new DnsServer(zone.lookup, { host: '127.0.0.1', port: 0, upstreams: [], logger: silentLogger });
  const { port } = await a.start();
  t.teardown(() => a.stop());
  const b = new DnsServer(zone.lookup, { host: '127.0.0.1', port, upstreams: [], logger: silentLogger });
  await t.rejects(b.start(), { name: 'DnsServerError' });
  await b.stop();
});
