import t from 'tap';
import type { KubeObject } from '@shoal/api';
import type { InformerEvent } from '../src/index.js';
import { clientFor, configMap, startServer } from './helpers.js';

function until(cond: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (cond()) { clearInterval(timer); resolve(); }
      else if (Date.now() - started > 5000) { clearInterval(timer); reject(new Error(`timed out waiting for ${what}`)); }
    }, 5);
  });
}

t.test('listAndWatch hands over the list, then changes', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  await client.create(configMap('a'));
  const seen: string[] = [];
  const informer = client.listAndWatch('ConfigMap', {}, (e: InformerEvent<KubeObject>) => {
    seen.push(e.type === 'SYNCED' ? 'SYNCED' : `${e.type} ${e.object.metadata.name}`);
  });
  await informer.synced;
  await client.create(configMap('b'));
  await client.delete('ConfigMap', 'a');
  await until(() => seen.length >= 4, 'four events');
  informer.stop();
  await informer.done;
  t.same(seen, ['ADDED a', 'SYNCED', 'ADDED b', 'DELETED a']);
  t.same([...informer.cache.keys()], ['default/b']);
});

t.test('on compaction the informer relists and hands over only the difference', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address, server.address]);
  await client.create(configMap('keep'));
  await client.create(configMap('gone'));
  await client.create(configMap('changed'));
  const seen: string[] = [];
  const informer = client.listAndWatch('ConfigMap', { retryDelayMs: 20 }, (e) => {
    seen.push(e.type === 'SYNCED' ? 'SYNCED' : `${e.type} ${e.object.metadata.name}`);
  });
  await informer.synced;
  seen.length = 0;
  // While the informer is disconnected, changes happen and history is compacted.
  server.stop();
  server.store.delete('ConfigMap', 'default', 'gone');
  const changed = server.store.get('ConfigMap', 'default', 'changed')!;
  server.store.update({ ...changed, data: { v: '2' } });
  server.store.create(configMap('new'));
  server.store.compact();
  await server.start();
  await until(() => seen.includes('SYNCED'), 'a relist');
  informer.stop();
  await informer.done;
  t.same(seen.sort(), ['ADDED new', 'DELETED gone', 'MODIFIED changed', 'SYNCED']);
  t.same([...informer.cache.keys()].sort(), ['default/changed', 'default/keep', 'default/new']);
});
