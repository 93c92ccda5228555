import t from 'tap';
import type { KubeObject } from '@shoal/api';
import { AlreadyExistsError, ConflictError, InvalidError, NotFoundError } from '../src/index.js';
import { clientFor, configMap, startServer } from './helpers.js';

t.test('create, get, list, update, delete round-trip through gRPC', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  const created = await client.create(configMap('a', { k: 'v' }, { app: 'web' }));
  t.equal(created.metadata.resourceVersion, '1');
  t.ok(created.metadata.uid);
  await client.create(configMap('b', {}, { app: 'db' }));

  const got = await client.get('ConfigMap', 'a', { namespace: 'default' });
  t.same((got as unknown as { data: unknown }).data, { k: 'v' });

  const all = await client.list('ConfigMap');
  t.same(all.items.map((o) => o.metadata.name), ['a', 'b']);
  t.equal(all.revision, 2);
  const web = await client.list('ConfigMap', { labelSelector: 'app in (web)' });
  t.same(web.items.map((o) => o.metadata.name), ['a']);
  const byName = await client.list('ConfigMap', { fieldSelector: 'metadata.name!=a' });
  t.same(byName.items.map((o) => o.metadata.name), ['b']);

  const updated = await client.update({ ...got, data: { k: 'w' } } as KubeObject);
  t.equal(updated.metadata.resourceVersion, '3');

  const del = await client.delete('ConfigMap', 'a', { namespace: 'default', propagationPolicy: 'Orphan', gracePeriodSeconds: 0 });
  t.equal(del.pending, false);
  t.same(server.store.deletes[0], { kind: 'ConfigMap', namespace: 'default', name: 'a', propagationPolicy: 'Orphan', gracePeriodSeconds: 0 });
  await t.rejects(client.get('ConfigMap', 'a'), NotFoundError);
});

t.test('apply creates, then configures, then leaves unchanged', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  t.equal((await client.apply(configMap('x', { a: '1' }))).result, 'created');
  t.equal((await client.apply(configMap('x', { a: '2' }))).result, 'configured');
  const same = await client.apply(configMap('x', { a: '2' }));
  t.equal(same.result, 'unchanged');
  t.equal(same.object.metadata.resourceVersion, '2');
});

t.test('list pages follow continue tokens', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  for (const n of ['a', 'b', 'c', 'd', 'e']) await client.create(configMap(n));
  const first = await client.list('ConfigMap', { limit: 2 });
  t.same(first.items.map((o) => o.metadata.name), ['a', 'b']);
  t.equal(first.remainingItemCount, 3);
  t.ok(first.continue);
  const all = await client.listAll('ConfigMap', { limit: 2 });
  t.same(all.items.map((o) => o.metadata.name), ['a', 'b', 'c', 'd', 'e']);
});

t.test('errors arrive as typed classes', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  await client.create(configMap('dup'));
  await t.rejects(client.create(configMap('dup')), AlreadyExistsError);

  const stale = configMap('dup');
  stale.metadata.resourceVersion = '999';
  const conflict = await client.update(stale).catch((e: unknown) => e);
  t.type(conflict, ConflictError);
  t.match((conflict as Error).message, /modified/);

  const bad = await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }).catch((e: unknown) => e);
  t.type(bad, InvalidError);
  t.equal((bad as InvalidError).field, 'metadata.name');
  t.match((bad as Error).message, /^metadata\.name: /);

  const unknownKind = await client.create({ apiVersion: 'v1', kind: 'Gizmo', metadata: { name: 'g' } }).catch((e: unknown) => e);
  t.type(unknownKind, InvalidError);
  t.equal((unknownKind as InvalidError).field, 'kind');

  const badSelector = await client.list('ConfigMap', { labelSelector: 'a in (' }).catch((e: unknown) => e);
  t.type(badSelector, InvalidError);
  t.equal((badSelector as InvalidError).field, 'label_selector');

  const missing = await client.delete('ConfigMap', 'nope').catch((e: unknown) => e);
  t.type(missing, NotFoundError);
  t.equal((missing as NotFoundError).name, 'NotFoundError');
});

t.test('updateStatus changes status only and keeps generation', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  const pod = await client.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  const withStatus = await client.updateStatus({ ...pod, spec: { containers: [] }, status: { phase: 'Running' } });
  t.same(withStatus.status, { phase: 'Running' });
  t.same(withStatus.spec, { containers: [{ name: 'c', image: 'i' }] });
  t.equal(withStatus.metadata.generation, 1);
});

t.test('modify reads again and retries when another writer moved the object on', async (t) => {
  const server = await startServer(t);
  const client = clientFor(t, [server.address]);
  const other = clientFor(t, [server.address]);
  await client.create(configMap('m', { n: '0' }));
  type CM = KubeObject & { data: Record<string, string> };
  let calls = 0;
  const done = await client.modify<CM>('ConfigMap', 'm', (cur) => {
    calls++;
    return { ...cur, data: { ...cur.data, mine: 'yes' } };
  }, {
    namespace: 'default',
  });
  t.equal(calls, 1, 'no conflict: one read and one write');
  t.equal(done?.data.mine, 'yes');

  // Another writer gets in between our read and our write, twice.
  let interference = 2;
  const write = client.update.bind(client);
  client.update = async (obj, o) => {
    if (interference-- > 0) {
      const cur = await other.get<CM>('ConfigMap', 'm', { namespace: 'default' });
      await other.update({ ...cur, data: { ...cur.data, other: String(interference) } });
    }
    return write(obj, o);
  };
  calls = 0;
  const after = await client.modify<CM>('ConfigMap', 'm', (cur) => {
    calls++;
    return { ...cur, data: { ...cur.data, n: String(Number(cur.data.n) + 1) } };
  }, { namespace: 'default' });
  t.equal(calls, 3, 'read again after each conflict');
  t.equal(after?.data.n, '1', 'the change is applied once, to the latest object');
  t.equal(after?.data.other, '0', 'and keeps the other writer\'s change');

  t.equal(await client.modify('ConfigMap', 'm', () => undefined, { namespace: 'default' }), undefined, 'undefined: nothing written');
  // A change that always loses gives up after `attempts` with the conflict.
  await t.rejects(client.modify<CM>('ConfigMap', 'm', (cur) => ({ ...cur, metadata: { ...cur.metadata, resourceVersion: '1' } }), { namespace: 'default', attempts: 2 }), ConflictError);
});
