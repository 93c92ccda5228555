import t from 'tap';
import fc from 'fast-check';
import { jsonBytesBound } from '../src/validation/validate.js';
import { validate } from '../src/index.js';

const utf8 = (v: unknown): number => new TextEncoder().encode(JSON.stringify(v) ?? '').length;

t.test('the bound is never below the encoded size', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => jsonBytesBound(v) >= utf8(v)),
    { numRuns: 2000 },
  );
  // Characters JSON escapes, and characters of 3 and 4 UTF-8 bytes.
  // The longest numbers: 25 characters (fast-check found the first one).
  const tricky = ['"\\\n\u0001', '\u2028€', '😀😀', { 'k"\u0000': ['\t', null, true, -1.2345678901234567e-308] }, -0.0000010195877236374372, [-0.0000012345678901234567]];
  tricky.forEach((v, i) => t.ok(jsonBytesBound(v) >= utf8(v), `tricky value ${i}`));
  t.ok(jsonBytesBound([undefined, () => 1]) >= utf8([undefined, () => 1]), 'undefined in arrays is written as null');
  t.equal(jsonBytesBound({ a: undefined }), 2, 'undefined members are left out');
  t.ok(jsonBytesBound({ d: new Date(0) }) >= utf8({ d: new Date(0) }), 'toJSON is honoured');
});

t.test('the bound stops counting once over the limit', async (t) => {
  const many = Array.from({ length: 100_000 }, () => 'x'.repeat(100));
  t.ok(jsonBytesBound(many, 1000) > 1000);
  t.ok(jsonBytesBound(many, 1000) < 10_000, 'it did not walk the whole list');
});

t.test('objects over the size limit are still refused, near ones accepted', async (t) => {
  const cm = (n: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'x'.repeat(n) } });
  const overhead = utf8(cm(0));
  t.same(validate(cm(2048 - overhead), { maxObjectBytes: 2048 }), [], 'exactly at the limit');
  const issues = validate(cm(2049 - overhead), { maxObjectBytes: 2048 });
  t.equal(issues.length, 1);
  t.equal(issues[0]?.type, 'TooLong');
  // Multi-byte characters count by their UTF-8 bytes: 3 each for the euro sign.
  const euros = Math.floor((2048 - overhead) / 3) + 1;
  t.equal(validate({ ...cm(0), data: { k: '€'.repeat(euros) } }, { maxObjectBytes: 2048 })[0]?.type, 'TooLong');
  t.same(validate({ ...cm(0), data: { k: '€'.repeat(euros - 1) } }, { maxObjectBytes: 2048 }), []);
});
