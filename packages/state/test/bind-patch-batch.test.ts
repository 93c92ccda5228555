import t from 'tap';
import { ConflictError, InvalidError, NotFoundError, PreconditionError, type Command } from '../src/index.js';
import { T0, configMap, create, err, key, newStore, ok, pod } from './helpers.js';

t.test('bind sets nodeName once', async (t) => {
  const s = newStore();
  ok(s.apply(create(pod('p'), 'pu')));
  const b = ok(s.apply({ type: 'bind', key: key('Pod', 'p'), nodeName: 'n1', uid: 'pu' }));
  t.equal((b.spec as { nodeName: string }).nodeName, 'n1');
  t.equal(b.metadata.generation, 1, 'binding is not a user spec change');
  t.same(s.podsOnNode('n1').map((p) => p.metadata.name), ['p']);
  const c = err(s.apply({ type: 'bind', key: key('Pod', 'p'), nodeName: 'n2' }));
  t.ok(c instanceof ConflictError);
  t.match(c.message, /already bound to node n1/);
  t.ok(err(s.apply({ type: 'bind', key: key('Pod', 'nope'), nodeName: 'n1' })) instanceof NotFoundError);
  ok(s.apply(create(pod('q'), 'qu')));
  t.ok(err(s.apply({ type: 'bind', key: key('Pod', 'q'), nodeName: 'n1', uid: 'old' })) instanceof PreconditionError);
  t.ok(err(s.apply({ type: 'bind', key: key('ConfigMap', 'q'), nodeName: 'n1' })) instanceof InvalidError);
  t.ok(err(s.apply({ type: 'bind', key: key('Pod', 'q'), nodeName: '' })) instanceof InvalidError);
  ok(s.apply(create({ ...pod('f'), metadata: { name: 'f', finalizers: ['x.io/y'] } })));
  ok(s.apply({ type: 'delete', key: key('Pod', 'f'), timestamp: T0 }));
  t.match(err(s.apply({ type: 'bind', key: key('Pod', 'f'), nodeName: 'n1' })).message, /being deleted/);
});

t.test('patchMetadata edits labels, annotations, finalizers and owners', async (t) => {
  const s = newStore();
  ok(s.apply(create({ ...configMap('c'), metadata: { name: 'c', labels: { a: '1', b: '2' } } } as never)));
  const p = ok(s.apply({
    type: 'patchMetadata',
    key: key('ConfigMap', 'c'),
    labels: { a: null, c: '3' },
    annotations: { note: 'hi' },
    addFinalizers: ['x.io/f'],
    addOwnerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'd-uid', controller: true }],
  }));
  t.same(p.metadata.labels, { b: '2', c: '3' });
  t.same(p.metadata.annotations, { note: 'hi' });
  t.same(p.metadata.finalizers, ['x.io/f']);
  t.equal(s.dependents('d-uid').length, 1);
  const q = ok(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'c'), removeOwnerUids: ['d-uid'], removeFinalizers: ['x.io/f'], labels: { b: null, c: null } }));
  t.equal(q.metadata.ownerReferences, undefined);
  t.equal(q.metadata.finalizers, undefined);
  t.equal(q.metadata.labels, undefined);
  t.equal(s.dependents('d-uid').length, 0);
  const rev = s.revision;
  ok(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'c'), removeFinalizers: ['absent'] }));
  t.equal(s.revision, rev, 'a no-op patch writes nothing');
  t.ok(err(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'c'), labels: { 'bad key': 'x' } })) instanceof InvalidError);
  t.ok(err(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'c'), resourceVersion: '1' })) instanceof ConflictError);
  t.ok(err(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'zz') })) instanceof NotFoundError);
});

t.test('batch: one entry, one result per command', async (t) => {
  const s = newStore();
  for (const n of ['a', 'b', 'c']) ok(s.apply(create(pod(n))));
  const batch: Command = {
    type: 'batch',
    commands: [
      { type: 'bind', key: key('Pod', 'a'), nodeName: 'n1' },
      { type: 'bind', key: key('Pod', 'missing'), nodeName: 'n1' },
      { type: 'bind', key: key('Pod', 'b'), nodeName: 'n2' },
      { type: 'batch', commands: [] } as never,
      { type: 'create', object: configMap('x'), uid: 'x', timestamp: T0 },
    ],
  };
  const r = s.apply(batch);
  t.ok(r.ok);
  const results = r.ok ? (r.results ?? []) : [];
  t.same(results.map((x) => x.ok), [true, false, true, false, true]);
  t.ok(!results[1]?.ok && results[1]?.error instanceof NotFoundError);
  t.ok(!results[3]?.ok && results[3]?.error instanceof InvalidError, 'batches do not nest');
  t.equal(r.revision, s.revision);
  t.same(s.podsOnNode('n1').map((p) => p.metadata.name), ['a']);
  t.same(s.podsOnNode('n2').map((p) => p.metadata.name), ['b']);
  t.ok(err(s.apply({ type: 'batch', commands: 'x' } as never)) instanceof InvalidError);
});

t.test('commands are not frozen or shared by the store', async (t) => {
  const s = newStore();
  const object = pod('p');
  const cmd = create(object);
  ok(s.apply(cmd));
  t.notOk(Object.isFrozen(object) || Object.isFrozen(object.metadata) || Object.isFrozen(object.spec), 'create copies');
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'o-uid' };
  ok(s.apply({ type: 'patchMetadata', key: key('Pod', 'p'), addOwnerReferences: [ref] }));
  t.notOk(Object.isFrozen(ref), 'patch copies');
  ref.name = 'changed';
  t.equal(s.get(key('Pod', 'p'))?.metadata.ownerReferences?.[0]?.name, 'o');
  const status = { phase: 'Running' };
  ok(s.apply({ type: 'updateStatus', object: { ...pod('p'), status } }));
  t.notOk(Object.isFrozen(status), 'updateStatus copies');
});
