import t from 'tap';
import { WorkQueue } from '../../src/index.js';
import { FakeTimers } from '../fixtures/fake-timers.js';

t.test('de-duplicates queued keys', async (t) => {
  const q = new WorkQueue({ timers: new FakeTimers() });
  q.add('a');
  q.add('b');
  q.add('a');
  t.equal(q.length, 2);
  t.equal(await q.get(), 'a');
  t.equal(await q.get(), 'b');
});

t.test('a key added while processing is handed out again only after done', async (t) => {
  const q = new WorkQueue({ timers: new FakeTimers() });
  q.add('a');
  const k = await q.get();
  q.add('a');
  t.equal(q.length, 0, 'not queued twice while in flight');
  q.done(k!);
  t.equal(q.length, 1);
  t.equal(await q.get(), 'a');
});

t.test('waiting getters receive keys as they come', async (t) => {
  const q = new WorkQueue({ timers: new FakeTimers() });
  const p = q.get();
  q.add('x');
  t.equal(await p, 'x');
  q.add('x');
  t.equal(q.length, 0, 'in flight: marked dirty, not queued');
  q.done('x');
  t.equal(await q.get(), 'x');
});

t.test('delayed adds fire on the clock; the earliest wins', async (t) => {
  const timers = new FakeTimers();
  const q = new WorkQueue({ timers });
  q.addAfter('a', 100);
  q.addAfter('a', 50);
  q.addAfter('a', 500);
  t.equal(timers.size, 1);
  timers.advance(49);
  t.equal(q.length, 0);
  timers.advance(1);
  t.equal(q.length, 1);
});

t.test('rate limiting backs off exponentially, capped, and forget resets', async (t) => {
  const q = new WorkQueue({ timers: new FakeTimers(), baseDelayMs: 10, maxDelayMs: 50 });
  t.same([q.nextDelay('k'), q.nextDelay('k'), q.nextDelay('k'), q.nextDelay('k')], [10, 20, 40, 50]);
  t.equal(q.numRequeues('k'), 4);
  q.forget('k');
  t.equal(q.nextDelay('k'), 10);
});

t.test('shutdown releases getters and drops timers', async (t) => {
  const timers = new FakeTimers();
  const q = new WorkQueue({ timers });
  const p = q.get();
  q.addAfter('a', 10);
  q.shutDown();
  t.equal(await p, undefined);
  t.equal(timers.size, 0);
  q.add('b');
  t.equal(await q.get(), undefined);
});
