import t from 'tap';
import { CommandDecodeError, decodeCommand, encodeCommand, type Command } from '../src/index.js';
import { T0, configMap, newStore, ok } from './helpers.js';

t.test('commands round-trip through their log encoding', async (t) => {
  const cmd: Command = { type: 'batch', commands: [{ type: 'create', object: configMap('a'), uid: 'u', timestamp: T0 }, { type: 'bind', key: { kind: 'Pod', namespace: 'default', name: 'p' }, nodeName: 'n' }] };
  const back = decodeCommand(encodeCommand(cmd));
  t.same(back, cmd);
  const s = newStore();
  const r = s.apply(back);
  t.ok(r.ok);
  t.equal(ok(r.ok && r.results ? (r.results[0] as never) : r).metadata.name, 'a');
});

t.test('undecodable entries are refused with CommandDecodeError', async (t) => {
  t.throws(() => decodeCommand(new TextEncoder().encode('{not json')), CommandDecodeError);
  t.throws(() => decodeCommand(new TextEncoder().encode('{"type":"explode"}')), CommandDecodeError);
  t.throws(() => decodeCommand(new TextEncoder().encode('null')), CommandDecodeError);
  t.throws(() => decodeCommand(new TextEncoder().encode('[1]')), CommandDecodeError);
});
