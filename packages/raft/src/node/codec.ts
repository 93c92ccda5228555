/**
 * A compact binary encoding of the Raft data (entries, messages, hard state,
 * configuration, snapshots), shared by the disk store and the peer
 * transport. Varints keep small terms and indexes to one or two bytes; a
 * heartbeat is about 15 bytes where JSON takes over 150.
 */
import { ByteReader, ByteWriter, CodecError } from './byte-codec.js';
import {
  EntryType,
  MessageType,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Snapshot,
} from '../types.js';

const FLAG_REJECT = 1;
const FLAG_REJECT_TERM = 2;
const FLAG_SNAPSHOT = 4;
const FLAG_CONTEXT = 8;

function writeEntry(w: ByteWriter, e: Entry): void {
  w.uvarint(e.term);
  w.uvarint(e.index);
  w.u8(e.type);
  w.bytes(e.data);
}

function readEntry(r: ByteReader): Entry {
  const term = r.uvarint();
  const index = r.uvarint();
  const type = r.u8();
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) throw new CodecError(`unknown entry type ${type}`);
  return { term, index, type, data: r.bytes() };
}

function writeConfState(w: ByteWriter, c: ConfState): void {
  w.uvarint(c.voters.length);
  for (const v of c.voters) w.string(v);
  w.uvarint(c.learners.length);
  for (const l of c.learners) w.string(l);
}

function readConfState(r: ByteReader): ConfState {
  const voters: string[] = [];
  for (let n = r.uvarint(); n > 0; n--) voters.push(r.string());
  const learners: string[] = [];
  for (let n = r.uvarint(); n > 0; n--) learners.push(r.string());
  return { voters, learners };
}

function writeSnapshot(w: ByteWriter, s: Snapshot): void {
  w.uvarint(s.metadata.index);
  w.uvarint(s.metadata.term);
  writeConfState(w, s.metadata.conf);
  w.bytes(s.data);
}

function readSnapshot(r: ByteReader): Snapshot {
  const index = r.uvarint();
  const term = r.uvarint();
  const conf = readConfState(r);
  return { metadata: { index, term, conf }, data: r.bytes() };
}

function whole<T>(b: Uint8Array, read: (r: ByteReader) => T): T {
  const r = new ByteReader(b);
  const v = read(r);
  r.end();
  return v;
}

export function encodeEntry(e: Entry): Uint8Array {
  const w = new ByteWriter(e.data.length + 24);
  writeEntry(w, e);
  return w.finish();
}

export function decodeEntry(b: Uint8Array): Entry {
  return whole(b, readEntry);
}

/**
 * Consecutive entries back to back, no count: one entry encodes exactly as
 * `encodeEntry`, so a reader of runs also reads single-entry records. With
 * `headroom`, that many zero bytes come first (room for a record header,
 * so the caller need not copy the encoding into a larger buffer).
 */
export function encodeEntries(entries: readonly Entry[], headroom = 0): Uint8Array {
  let size = headroom;
  for (const e of entries) size += e.data.length + 24;
  const w = new ByteWriter(size);
  for (let i = 0; i < headroom; i++) w.u8(0);
  for (const e of entries) writeEntry(w, e);
  return w.finish();
}

export function decodeEntries(b: Uint8Array): Entry[] {
  const r = new ByteReader(b);
  const out: Entry[] = [];
  do out.push(readEntry(r));
  while (!r.done);
  return out;
}

export function encodeHardState(h: HardState): Uint8Array {
  const w = new ByteWriter(32);
  w.uvarint(h.term);
  w.string(h.vote);
  w.uvarint(h.commit);
  return w.finish();
}

export function decodeHardState(b: Uint8Array): HardState {
  return whole(b, (r) => ({ term: r.uvarint(), vote: r.string(), commit: r.uvarint() }));
}

export function encodeConfState(c: ConfState): Uint8Array {
  const w = new ByteWriter(64);
  writeConfState(w, c);
  return w.finish();
}

export function decodeConfState(b: Uint8Array): ConfState {
  return whole(b, readConfState);
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  const w = new ByteWriter(s.data.length + 64);
  writeSnapshot(w, s);
  return w.finish();
}

export function decodeSnapshot(b: Uint8Array): Snapshot {
  return whole(b, readSnapshot);
}

export function encodeMessage(m: Message): Uint8Array {
  let size = 64;
  for (const e of m.entries) size += e.data.length + 24;
  if (m.snapshot) size += m.snapshot.data.length + 64;
  const w = new ByteWriter(size);
  w.u8(m.type);
  let flags = 0;
  if (m.reject) flags |= FLAG_REJECT;
  if (m.rejectTerm !== undefined) flags |= FLAG_REJECT_TERM;
  if (m.snapshot) flags |= FLAG_SNAPSHOT;
  if (m.context) flags |= FLAG_CONTEXT;
  w.u8(flags);
  w.string(m.from);
  w.string(m.to);
  w.uvarint(m.term);
  w.uvarint(m.logTerm);
  w.uvarint(m.index);
  w.uvarint(m.commit);
  w.uvarint(m.rejectHint);
  if (m.rejectTerm !== undefined) w.uvarint(m.rejectTerm);
  w.uvarint(m.entries.length);
  for (const e of m.entries) writeEntry(w, e);
  if (m.snapshot) writeSnapshot(w, m.snapshot);
  if (m.context) w.bytes(m.context);
  return w.finish();
}

export function decodeMessage(b: Uint8Array): Message {
  return whole(b, (r) => {
    const type = r.u8();
    if (!(type in MessageType)) throw new CodecError(`unknown message type ${type}`);
    const flags = r.u8();
    const m: Message = {
      type,
      from: r.string(),
      to: r.string(),
      term: r.uvarint(),
      logTerm: r.uvarint(),
      index: r.uvarint(),
      entries: [],
      commit: r.uvarint(),
      reject: (flags & FLAG_REJECT) !== 0,
      rejectHint: r.uvarint(),
    };
    if (flags & FLAG_REJECT_TERM) m.rejectTerm = r.uvarint();
    for (let n = r.uvarint(); n > 0; n--) m.entries.push(readEntry(r));
    if (flags & FLAG_SNAPSHOT) m.snapshot = readSnapshot(r);
    if (flags & FLAG_CONTEXT) m.context = r.bytes();
    return m;
  });
}
