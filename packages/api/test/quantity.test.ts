import t from 'tap';
import { thrown } from './helpers.js';
import { QuantityError, cpuMillis, isQuantity, memoryBytes, parseQuantity } from '../src/index.js';

t.test('parses plain numbers, decimals and exponents', async (t) => {
  t.equal(parseQuantity('1'), 1);
  t.equal(parseQuantity('0.5'), 0.5);
  t.equal(parseQuantity('.5'), 0.5);
  t.equal(parseQuantity(2), 2);
  t.equal(parseQuantity(0.25), 0.25);
  t.equal(parseQuantity('1e3'), 1000);
  t.equal(parseQuantity('1E3'), 1000);
  t.equal(parseQuantity('25e-2'), 0.25);
  t.equal(parseQuantity('-1'), -1);
  t.equal(parseQuantity('+2'), 2);
});

t.test('decimal and binary suffixes', async (t) => {
  t.equal(parseQuantity('500m'), 0.5);
  t.equal(parseQuantity('1k'), 1000);
  t.equal(parseQuantity('1M'), 1e6);
  t.equal(parseQuantity('1G'), 1e9);
  t.equal(parseQuantity('1T'), 1e12);
  t.equal(parseQuantity('1E'), 1e18);
  t.equal(parseQuantity('128Mi'), 128 * 1024 * 1024);
  t.equal(parseQuantity('2Gi'), 2 * 1024 ** 3);
  t.equal(parseQuantity('1.5Ki'), 1536);
  t.equal(parseQuantity('100n'), 1e-7);
});

t.test('cpuMillis is exact and rounds up', async (t) => {
  t.equal(cpuMillis('500m'), 500);
  t.equal(cpuMillis('0.1'), 100);
  t.equal(cpuMillis('1'), 1000);
  t.equal(cpuMillis(2), 2000);
  t.equal(cpuMillis('0.0001'), 1);
  t.equal(cpuMillis('1.5'), 1500);
  t.equal(cpuMillis('250m'), 250);
});

t.test('memoryBytes', async (t) => {
  t.equal(memoryBytes('128Mi'), 134217728);
  t.equal(memoryBytes('1G'), 1e9);
  t.equal(memoryBytes('64'), 64);
  t.equal(memoryBytes('1.5'), 2);
});

t.test('invalid quantities throw QuantityError naming the value', async (t) => {
  for (const bad of ['', 'abc', '1x', '1 Gi', ' 1', '1e', 'Mi', '1.2.3', '1mi', '1KiB', '--1']) {
    const e = thrown(() => parseQuantity(bad));
    t.ok(e instanceof QuantityError && e.name === 'QuantityError' && e.message.includes(JSON.stringify(bad)), `${bad}: ${String(e)}`);
    t.notOk(isQuantity(bad), bad);
  }
  t.throws(() => parseQuantity(Number.NaN), QuantityError);
  t.throws(() => parseQuantity(Number.POSITIVE_INFINITY), QuantityError);
  t.throws(() => parseQuantity('1e400'), /out of range/);
  t.throws(() => cpuMillis('1x'), QuantityError);
  t.throws(() => memoryBytes('x'), QuantityError);
  t.ok(isQuantity('1Gi'));
  t.notOk(isQuantity(null));
});
