import t from 'tap';
import {
  ByteReader, ByteWriter, allocBytes, unwrapRequest, wrapRequest,
  CodecError, EntryType, MessageType, decodeConfState, decodeEntry, decodeHardState, decodeMessage, decodeSnapshot,
  encodeConfState, encodeEntry, encodeHardState, encodeMessage, encodeSnapshot, type Message,
} from '../../src/index.js';

const full: Message = {
  type: MessageType.App, from: 'node-a', to: 'node-b', term: 2 ** 40, logTerm: 7, index: 123456789,
  entries: [
    { term: 7, index: 123456790, type: EntryType.Normal, data: Uint8Array.of(1, 2, 3) },
    { term: 7, index: 123456791, type: EntryType.ConfChange, data: new Uint8Array(0) },
  ],
  commit: 99, reject: true, rejectHint: 5, rejectTerm: 4,
  snapshot: { metadata: { index: 10, term: 2, conf: { voters: ['a', 'b'], learners: ['ü'] } }, data: Uint8Array.of(9) },
  context: Uint8Array.of(0xff),
};

t.test('messages round-trip with every optional field', async (t) => {
  t.same(decodeMessage(encodeMessage(full)), full);
  const bare: Message = { type: MessageType.Heartbeat, from: 'a', to: 'b', term: 1, logTerm: 0, index: 0, entries: [], commit: 3, reject: false, rejectHint: 0 };
  const bytes = encodeMessage(bare);
  t.same(decodeMessage(bytes), bare);
  t.ok(bytes.length < 20, `a heartbeat is small (${bytes.length} bytes)`);
});

t.test('entries, hard state, configuration and snapshots round-trip', async (t) => {
  const e = full.entries[0]!;
  t.same(decodeEntry(encodeEntry(e)), e);
  t.same(decodeHardState(encodeHardState({ term: 3, vote: 'x', commit: 2 ** 53 - 1 })), { term: 3, vote: 'x', commit: 2 ** 53 - 1 });
  t.same(decodeConfState(encodeConfState({ voters: ['a'], learners: [] })), { voters: ['a'], learners: [] });
  t.same(decodeSnapshot(encodeSnapshot(full.snapshot!)), full.snapshot);
});

t.test('truncated, padded or invalid bytes are refused', async (t) => {
  const bytes = encodeMessage(full);
  t.throws(() => decodeMessage(bytes.subarray(0, bytes.length - 1)), CodecError);
  t.throws(() => decodeMessage(Uint8Array.of(...bytes, 0)), CodecError);
  t.throws(() => decodeMessage(Uint8Array.of(200, 0)), CodecError);
  t.throws(() => encodeHardState({ term: -1, vote: '', commit: 0 }), CodecError);
  t.throws(() => decodeEntry(Uint8Array.of(1, 1, 7, 0)), /entry type/);
});

t.test('decoded bytes are copies, not views of the input', async (t) => {
  const bytes = Buffer.from(encodeEntry({ term: 1, index: 1, type: EntryType.Normal, data: Uint8Array.of(5) }));
  const e = decodeEntry(bytes);
  bytes.fill(0);
  t.same(e.data, Uint8Array.of(5));
});

t.test('pooled bytes: plain Uint8Arrays whose slice copies, and decoded entries that outlive their neighbours', async (t) => {
  const a = allocBytes(16);
  t.equal(a.length, 16);
  t.equal(Object.getPrototypeOf(a), Uint8Array.prototype, 'not a Buffer (whose slice is a view)');
  a.fill(7);
  const copy = a.slice(0, 4);
  a.fill(1);
  t.same(copy, Uint8Array.of(7, 7, 7, 7), 'slice copies');
  // Two entries decoded from one message share a pool; neither sees the other.
  const m = decodeMessage(encodeMessage(full));
  const [first, second] = m.entries;
  first!.data.fill(0);
  t.same(second!.data, new Uint8Array(0));
  t.same(decodeMessage(encodeMessage(full)).entries[0]!.data, Uint8Array.of(1, 2, 3), 'a fresh decode is unaffected');
});

t.test('ByteReader.view shares the source bytes; ByteReader.bytes copies them', async (t) => {
  const w = new ByteWriter();
  w.bytes(Uint8Array.of(1, 2, 3));
  w.bytes(Uint8Array.of(4));
  const src = w.finish().slice();
  const r = new ByteReader(src);
  const v = r.view();
  const c = r.bytes();
  r.end();
  src.fill(9);
  t.same(v, Uint8Array.of(9, 9, 9), 'the view follows its source');
  t.same(c, Uint8Array.of(4), 'the copy does not');
  t.throws(() => new ByteReader(Uint8Array.of(5, 1)).view(), CodecError, 'a view past the end is refused');
});

t.test('request envelopes: the payload comes back byte for byte', async (t) => {
  const payload = Buffer.from(JSON.stringify({ type: 'apply', v: 'ü'.repeat(300) }));
  const wrapped = wrapRequest({ node: 'n1', incarnation: 3, seq: 2 ** 40 }, payload);
  const { id, payload: back } = unwrapRequest(wrapped);
  t.same(id, { node: 'n1', incarnation: 3, seq: 2 ** 40 });
  t.same(Buffer.from(back), payload);
  t.equal(back.buffer, wrapped.buffer, 'a view of the entry, not a copy');
});
