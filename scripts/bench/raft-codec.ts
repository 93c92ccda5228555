/**
 * `npm run bench -- raft-codec`: size and speed of the Raft message
 * encoding the transport uses (packages/raft/src/node/codec.ts) against
 * JSON with base64 payloads, for a heartbeat and a 10-entry append.
 */
import { EntryType, MessageType, decodeMessage, encodeMessage, type Message } from '@shoal/raft';

function jsonEncode(m: Message): Uint8Array {
  return Buffer.from(JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));
}

function jsonDecode(b: Uint8Array): Message {
  return JSON.parse(Buffer.from(b).toString('utf8'), (k, v: unknown) => (k === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64') : v)) as Message;
}

function opsPerSec(fn: () => void, ms = 500): number {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return Math.round((n * 1000) / ms);
}

export default async function main(): Promise<void> {
  const base = { from: 'node-1', to: 'node-2', term: 7, logTerm: 7, index: 123_456, commit: 123_450, reject: false, rejectHint: 0 };
  const cases: Array<[string, Message]> = [
    ['heartbeat', { ...base, type: MessageType.Heartbeat, entries: [] }],
    ['append, 10 x 300 B', {
      ...base, type: MessageType.App,
      entries: Array.from({ length: 10 }, (_, i) => ({ term: 7, index: 123_457 + i, type: EntryType.Normal, data: new Uint8Array(300).fill(i) })),
    }],
  ];
  for (const [name, m] of cases) {
    const bin = encodeMessage(m);
    const json = jsonEncode(m);
    process.stdout.write(`${name}: binary ${bin.length} B, JSON ${json.length} B; ` +
      `encode+decode/s binary ${opsPerSec(() => decodeMessage(encodeMessage(m)))}, JSON ${opsPerSec(() => jsonDecode(jsonEncode(m)))}\n`);
  }
}
