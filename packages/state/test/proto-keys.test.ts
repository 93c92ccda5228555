/**
 * An own "__proto__" key, as JSON.parse makes one from a request or a log
 * entry, must never become an object's prototype: fields inherited from it
 * were invisible to validation yet read by every consumer (a pod could
 * carry spec.hostNetwork or spec.nodeName past every check).
 */
import t from 'tap';
import { decodeCommand, encodeCommand, InvalidError, type Command } from '../src/index.js';
import { T0, configMap, err, key, newStore, ok, pod } from './helpers.js';

/** The command as a replica gets it: through JSON, like a log entry. */
const viaLog = (json: string): Command => decodeCommand(new TextEncoder().encode(json));

t.test('a __proto__ key anywhere in an object is refused by name, on create and apply', async (t) => {
  const p = JSON.stringify(pod('sneaky')).replace('"spec":{', '"spec":{"__proto__":{"hostNetwork":true,"nodeName":"n1"},');
  for (const type of ['create', 'apply'] as const) {
    const s = newStore();
    const e = err(s.apply(viaLog(`{"type":"${type}","object":${p},"uid":"u-1","timestamp":"${T0}"}`)));
    t.type(e, InvalidError, `${type}: refused`);
    t.match(e.message, /spec\.__proto__/, `${type}: the error names the field`);
    t.notOk(s.get(key('Pod', 'sneaky')), `${type}: nothing stored`);
  }
  // In a map of free-form keys (ConfigMap data) as well.
  const cm = JSON.stringify(configMap('cm')).replace('"data":{', '"data":{"__proto__":{"x":"y"},');
  const e = err(newStore().apply(viaLog(`{"type":"create","object":${cm},"uid":"u-2","timestamp":"${T0}"}`)));
  t.match(e.message, /data\.__proto__|data\[__proto__\]/, 'a data key too');
});

t.test('an update cannot slip one in either', async (t) => {
  const s = newStore();
  const cur = ok(s.apply({ type: 'create', object: pod('p'), uid: 'u-1', timestamp: T0 }));
  const json = JSON.stringify({ ...cur, status: undefined }).replace('"metadata":{', '"metadata":{"__proto__":{"deletionTimestamp":"2026-01-01T00:00:00Z"},');
  const e = err(s.apply(viaLog(`{"type":"update","object":${json}}`)));
  t.type(e, InvalidError);
  t.match(e.message, /metadata\.__proto__/);
});

t.test('label and annotation patches with a __proto__ key are refused', async (t) => {
  const s = newStore();
  ok(s.apply({ type: 'create', object: pod('p'), uid: 'u-1', timestamp: T0 }));
  const e = err(s.apply(viaLog(`{"type":"patchMetadata","key":{"kind":"Pod","namespace":"default","name":"p"},"labels":{"__proto__":"x"}}`)));
  t.type(e, InvalidError);
  t.same(Object.getPrototypeOf(s.get(key('Pod', 'p'))!.metadata.labels ?? {}), Object.prototype);
});

t.test('encodeCommand keeps a __proto__ key as data, so every replica refuses it alike', async (t) => {
  const o = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"__proto__":"v"}}');
  const round = viaLog(new TextDecoder().decode(encodeCommand({ type: 'create', object: o, uid: 'u', timestamp: T0 })));
  t.ok(Object.prototype.hasOwnProperty.call((round as unknown as { object: { data: object } }).object.data, '__proto__'));
});
