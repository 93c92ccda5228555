import t from 'tap';
import type { KubeObject } from '@shoal/api';
import { CompactedError, InvalidError, type WatchEvent } from '../src/index.js';
import { MemoryObjectStore, MemoryShoalServer } from '../src/testing/index.js';
import { clientFor, configMap, startServer } from './helpers.js';

/** Collect events from a watch until `n` arrived. */
async function take(iter: AsyncGenerator<WatchEvent>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const next = await iter.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

t.test('watch from a list revision delivers every later change in order', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  await client.create(configMap('before'));
  const { revision } = await client.list('ConfigMap');
  const watch = client.watch('ConfigMap', { resourceVersion: revision });
  await client.create(configMap('a'));
  const a = await client.get('ConfigMap', 'a');
  await client.update({ ...a, data: { x: '1' } } as KubeObject);
  await client.delete('ConfigMap', 'a');
  const events = await take(watch, 3);
  await watch.return();
  t.same(events.map((e) => [e.type, e.object?.metadata.name, e.revision]), [
    ['ADDED', 'a', 2],
    ['MODIFIED', 'a', 3],
    ['DELETED', 'a', 4],
  ]);
});

t.test('watch filters by namespace and label, and objects leaving the selection arrive as DELETED', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  await client.create(configMap('unrelated'));
  const watch = client.watch('ConfigMap', { labelSelector: 'app=web', resourceVersion: (await client.list('ConfigMap')).revision });
  const web = await client.create(configMap('w', {}, { app: 'web' }));
  await client.create(configMap('d', {}, { app: 'db' }));
  await client.update({ ...web, metadata: { ...web.metadata, labels: { app: 'other' } } });
  const events = await take(watch, 2);
  await watch.return();
  t.same(events.map((e) => [e.type, e.object?.metadata.name]), [['ADDED', 'w'], ['DELETED', 'w']]);
});

t.test('watch resumes after the server restarts, without gaps or repeats', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  const reconnects: number[] = [];
  await client.create(configMap('zero'));
  const watch = client.watch('ConfigMap', { resourceVersion: (await client.list('ConfigMap')).revision, retryDelayMs: 20, onReconnect: (i) => reconnects.push(i.revision) });
  await client.create(configMap('one'));
  const [first] = await take(watch, 1);
  t.equal(first?.object?.metadata.name, 'one');
  t.equal(first?.revision, 2);

  server.stop();
  // Changes made while the watcher is disconnected (straight into the store).
  server.store.create(configMap('two'));
  server.store.create(configMap('three'));
  await server.start();
  await client.create(configMap('four'));

  const rest = await take(watch, 3);
  await watch.return();
  t.same(rest.map((e) => e.object?.metadata.name), ['two', 'three', 'four']);
  t.same(rest.map((e) => e.revision), [3, 4, 5]);
  t.ok(reconnects.length >= 1, 'reconnected at least once');
  t.equal(reconnects[0], 2, 'resumed from the last delivered revision');
});

t.test('watch moves to another node when its node dies', async (t) => {
  const store = new MemoryObjectStore();
  const a = await startServer(t, { store, id: 'a' });
  const b = await startServer(t, { store, id: 'b' });
  const client = clientFor(t, [a.address, b.address]);
  const watch = client.watch('ConfigMap', { retryDelayMs: 20 });
  await new Promise((r) => setTimeout(r, 50)); // let watch() learn "now" first
  await client.create(configMap('x1'));
  t.equal((await take(watch, 1))[0]?.object?.metadata.name, 'x1');
  a.stop();
  await client.create(configMap('x2'));
  const [ev] = await take(watch, 1);
  await watch.return();
  t.equal(ev?.object?.metadata.name, 'x2');
  t.ok(b.calls.some((c) => c.method === 'Watch' && (c.request as { resource_version: number }).resource_version === 1), 'resumed on b from revision 1');
});

t.test('a compacted revision ends the watch with CompactedError', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  await client.create(configMap('a'));
  await client.create(configMap('b'));
  server.store.compact();
  const err = await take(client.watch('ConfigMap', { resourceVersion: 1 }), 1).catch((e: unknown) => e);
  t.type(err, CompactedError);
  t.match((err as Error).message, /compacted/);
});

t.test('a bad selector ends the watch with InvalidError, not endless retries', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  const err = await take(client.watch('ConfigMap', { fieldSelector: 'spec.color=red', resourceVersion: 1 }), 1).catch((e: unknown) => e);
  t.type(err, InvalidError);
  t.equal((err as InvalidError).field, 'field_selector');
});

t.test('bookmarks are delivered only when asked for', async (t) => {
  const server = new MemoryShoalServer({ bookmarkIntervalMs: 20 });
  await server.start();
  t.teardown(() => server.stop());
  const client = clientFor(t, [server.address]);
  await client.create(configMap('a'));
  const watch = client.watch('ConfigMap', { allowBookmarks: true, resourceVersion: 1 });
  await client.create(configMap('b'));
  const events = await take(watch, 2);
  await watch.return();
  t.same(events.map((e) => e.type).sort(), ['ADDED', 'BOOKMARK']);
});

t.test('an abort signal ends the watch quietly', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  const ac = new AbortController();
  const watch = client.watch('ConfigMap', { signal: ac.signal });
  const pending = watch.next();
  setTimeout(() => ac.abort(), 50);
  const res = await pending;
  t.equal(res.done, true);
});

t.test('an ERROR event ends the stream: OUT_OF_RANGE is CompactedError, UNAVAILABLE resumes', async (t) => {
  const { status } = await import('@grpc/grpc-js');
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  await client.create(configMap('a'));

  const resumed = client.watch('ConfigMap', { resourceVersion: 1, retryDelayMs: 10 });
  const pending = take(resumed, 1);
  for (let i = 0; i < 200 && !server.calls.some((c) => c.method === 'Watch'); i++) await new Promise((r) => setTimeout(r, 5));
  server.failWatches(status.UNAVAILABLE, 'node is draining');
  for (let i = 0; i < 200 && server.calls.filter((c) => c.method === 'Watch').length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  await client.create(configMap('b'));
  t.equal((await pending)[0]?.object?.metadata.name, 'b', 'resumed after an UNAVAILABLE error event');
  await resumed.return();

  const compacted = client.watch('ConfigMap', { resourceVersion: 2 });
  const failing = take(compacted, 1).catch((e: unknown) => e);
  const watchCalls = server.calls.filter((c) => c.method === 'Watch').length;
  for (let i = 0; i < 200 && server.calls.filter((c) => c.method === 'Watch').length <= watchCalls; i++) await new Promise((r) => setTimeout(r, 5));
  server.failWatches(status.OUT_OF_RANGE, 'fell behind: revision 2 compacted');
  const err = await failing;
  t.type(err, CompactedError);
  t.match((err as Error).message, /fell behind/);
});
