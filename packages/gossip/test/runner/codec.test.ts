import t from 'tap';
import { encodeMessage, decodeMessage } from '../../src/runner/codec.js';
import { parseHostPort, formatHostPort } from '../../src/runner/address.js';
import { MessageDecodeError } from '../../src/errors.js';
import { encodeNodeMeta, decodeNodeMeta, type NodeMeta } from '../../src/node-meta.js';
import type { Message } from '../../src/core/types.js';

const nodeMeta: NodeMeta = {
  name: 'worker-17', peerAddress: '10.0.3.17:7000', apiAddress: '10.0.3.17:7001', cpuMillis: 8000, memoryBytes: 32 * 2 ** 30,
  labels: { zone: 'eu-west-1a', disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], version: '0.1.0', raftRole: 'learner',
};

t.test('round trip, and another cluster is dropped', async (t) => {
  const msg: Message = { t: 'ping', seq: 1, target: 'b', from: 'a', fromAddr: 'a:1', up: [] };
  const buf = encodeMessage('prod', msg);
  t.same(decodeMessage('prod', buf), msg);
  t.equal(decodeMessage('staging', buf), undefined);
});

t.test('garbage is refused with MessageDecodeError', async (t) => {
  for (const bad of ['nope', '1', '{"m":{}}', '{"c":"x"}', '{"c":"x","m":{"t":"weird","up":[]}}', '{"c":"x","m":{"t":"ping"}}', '{"c":"x","m":{"t":"push-pull"}}']) {
    t.throws(() => decodeMessage('x', Buffer.from(bad)), MessageDecodeError, bad);
  }
});

t.test('JSON sizes: a typical alive update with Shoal metadata fits several to a datagram', async (t) => {
  const meta = encodeNodeMeta(nodeMeta);
  const up = { t: 'alive' as const, node: nodeMeta.name, addr: '10.0.3.17:7946', inc: 3, meta, mv: 2 };
  const size = JSON.stringify(up).length;
  const ping = encodeMessage('shoal-prod', { t: 'ping', seq: 123456, target: 'worker-18', from: 'worker-17', fromAddr: '10.0.3.17:7946', up: [] }).length;
  t.comment(`encoded sizes: alive update with full node metadata ${size} B, empty ping ${ping} B; ${Math.floor((1400 - 128 - ping) / (size + 1))} such updates per 1400-byte datagram`);
  t.ok(size < 512, 'an update stays well under the metadata limit');
  t.ok(ping < 128, 'an empty ping is small');
});

t.test('node metadata round-trips through flat strings; junk decodes to empties', async (t) => {
  t.same(decodeNodeMeta(encodeNodeMeta(nodeMeta)), nodeMeta);
  const junk = decodeNodeMeta({ cpu: 'lots', labels: '{', role: 'king' });
  t.same(junk, { name: '', peerAddress: '', apiAddress: '', cpuMillis: 0, memoryBytes: 0, labels: {}, taints: [], version: '', raftRole: 'none' });
});

t.test('host:port parsing', async (t) => {
  t.same(parseHostPort('127.0.0.1:7946'), { host: '127.0.0.1', port: 7946 });
  t.same(parseHostPort('[::1]:80'), { host: '::1', port: 80 });
  t.equal(formatHostPort('::1', 80), '[::1]:80');
  t.equal(formatHostPort('node-1', 7946), 'node-1:7946');
  for (const bad of ['x', 'x:0', 'x:70000', ':80', 'a:b']) t.throws(() => parseHostPort(bad), TypeError, bad);
});

t.test('malformed updates and states are refused before they reach the core', async (t) => {
  const bad = [
    { t: 'gossip', from: 'x', up: [{ t: 'alive', node: 'n', inc: -1, addr: 'a:1', meta: {}, mv: 0 }] },
    { t: 'gossip', from: 'x', up: [{ t: 'alive', node: 'n', inc: 0, addr: 'a:1', meta: { k: 1 }, mv: 0 }] },
    { t: 'gossip', from: 'x', up: [{ t: 'suspect', node: 'n', inc: 0 }] },
    { t: 'gossip', from: 'x', up: [null] },
    { t: 'push-pull', from: 'x', fromAddr: 'x:1', join: false, reply: false, members: [{ node: 'n', addr: 'a:1', inc: 0, mv: 0, meta: {}, status: 'zombie' }] },
  ];
  for (const m of bad) t.throws(() => decodeMessage('x', Buffer.from(JSON.stringify({ c: 'x', m }))), MessageDecodeError, JSON.stringify(m));
  const good = { t: 'gossip', from: 'x', up: [{ t: 'dead', node: 'n', inc: 2, from: 'n' }] };
  t.same(decodeMessage('x', Buffer.from(JSON.stringify({ c: 'x', m: good }))), good);
});
