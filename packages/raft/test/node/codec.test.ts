import t from 'tap';
import {
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
