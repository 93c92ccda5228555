import t from 'tap';
import { AlreadyExistsError, ConflictError, ForbiddenError, InvalidError, NotFoundError, PreconditionError } from '../src/index.js';
import type { KubeObject } from '@shoal/api';
import type { Command } from '../src/index.js';
import { T0, configMap, create, edit, err, key, namespace, newStore, ok, pod, replicaSet } from './helpers.js';

t.test('bootstrap namespaces exist at revision 2', async (t) => {
  const s = newStore();
  t.equal(s.revision, 2);
  t.same(s.list('Namespace').map((n) => n.metadata.name), ['default', 'kube-system']);
  t.equal(s.get(key('Namespace', 'default'))?.metadata.uid, 'namespace-default');
});

t.test('create stamps server fields from the command', async (t) => {
  const s = newStore();
  const o = ok(s.apply(create(pod('web-1'), 'u-1', '2026-02-03T04:05:06Z')));
  t.equal(o.metadata.uid, 'u-1');
  t.equal(o.metadata.creationTimestamp, '2026-02-03T04:05:06Z');
  t.equal(o.metadata.resourceVersion, '3');
  t.equal(o.metadata.generation, 1);
  t.equal(o.metadata.namespace, 'default');
  t.equal((o.status as { phase?: string }).phase, 'Pending');
  t.equal((o.spec as { restartPolicy?: string }).restartPolicy, 'Always', 'defaults applied');
  t.ok(Object.isFrozen(o) && Object.isFrozen(o.metadata) && Object.isFrozen(o.spec), 'stored objects are frozen');
  t.equal(s.revision, 3);
  t.equal(s.get(key('Pod', 'web-1')), o);
  t.equal(s.getByUid('u-1'), o);
});

t.test('create ignores client-set server fields', async (t) => {
  const s = newStore();
  const p = pod('p');
  p.metadata.resourceVersion = '999';
  p.metadata.deletionTimestamp = T0;
  p.metadata.generation = 7;
  const o = ok(s.apply(create(p, 'u')));
  t.equal(o.metadata.resourceVersion, '3');
  t.equal(o.metadata.deletionTimestamp, undefined);
  t.equal(o.metadata.generation, 1);
});

t.test('create failures', async (t) => {
  const s = newStore();
  ok(s.apply(create(pod('p'), 'u1')));
  t.ok(err(s.apply(create(pod('p'), 'u2'))) instanceof AlreadyExistsError);
  t.ok(err(s.apply(create(pod('q'), 'u1'))) instanceof InvalidError, 'a duplicate uid is refused');
  const bad = pod('Bad_Name');
  const e = err(s.apply(create(bad)));
  t.ok(e instanceof InvalidError);
  t.equal(e.code, 'Invalid');
  t.match((e as InvalidError).issues[0]?.path, 'metadata.name');
  t.ok(err(s.apply(create(pod('x', { namespace: 'nope' })))) instanceof NotFoundError, 'the namespace must exist');
  t.ok(err(s.apply(create({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } }))) instanceof InvalidError);
  t.ok(err(s.apply({ type: 'create', object: pod('y'), uid: '', timestamp: T0 })) instanceof InvalidError, 'uid required');
  t.ok(err(s.apply({ type: 'create', object: pod('y'), uid: 'u9', timestamp: 'later' })) instanceof InvalidError, 'timestamp required');
  t.ok(err(s.apply({ type: 'nonsense' } as never)) instanceof InvalidError);
  t.ok(err(s.apply({ type: 'create', object: null, uid: 'z', timestamp: T0 } as never)) instanceof InvalidError);
  t.ok(err(s.apply({ type: 'update', object: { kind: 'Pod', metadata: 5 } } as never)) instanceof InvalidError, 'malformed commands fail, never throw');
  t.equal(s.revision, 3, 'failures do not change the revision');
  const big = configMap('big', { blob: 'x'.repeat(4000) });
  const small = newStore({ maxObjectBytes: 2048 });
  t.match(err(small.apply(create(big))).message, /Too long/);
});

t.test('generateName uses the suffix from the command', async (t) => {
  const s = newStore();
  const p = pod('');
  p.metadata.name = '';
  p.metadata.generateName = 'web-';
  t.equal(ok(s.apply(create(p, 'g1', T0, 'x7k2q'))).metadata.name, 'web-x7k2q');
  t.ok(err(s.apply(create(p, 'g2', T0, 'x7k2q'))) instanceof AlreadyExistsError, 'a colliding suffix fails; the leader retries');
  t.ok(err(s.apply(create(p, 'g3'))) instanceof InvalidError, 'no suffix, no name');
});

t.test('namespaces: objects need one; terminating ones refuse new content', async (t) => {
  const s = newStore();
  ok(s.apply(create(namespace('team'))));
  ok(s.apply(create(configMap('a', {}, 'team'))));
  ok(s.apply(create(pod('p', { namespace: 'kube-system' }))));
  t.ok(err(s.apply(create(configMap('a', {}, 'other')))) instanceof NotFoundError);
  ok(s.apply({ type: 'create', object: pod('bound', { namespace: 'team', nodeName: 'n1' }), uid: 'b', timestamp: T0 }));
  ok(s.apply({ type: 'delete', key: key('Namespace', 'team'), timestamp: T0 }));
  t.ok(err(s.apply(create(configMap('b', {}, 'team')))) instanceof ForbiddenError);
});

t.test('update: preconditions, generation, status kept', async (t) => {
  const s = newStore();
  const rs = ok(s.apply(create(replicaSet('web', 1), 'rs-1')));
  ok(s.apply({ type: 'updateStatus', object: { ...edit(rs), status: { replicas: 1 } } }));
  const cur = s.get(key('ReplicaSet', 'web'));
  const e1 = edit(cur);
  e1.spec.replicas = 3;
  e1.status = { replicas: 99 };
  e1.metadata.labels = { tier: 'front' };
  const u = ok(s.apply({ type: 'update', object: e1 }));
  t.equal(u.metadata.generation, 2, 'spec change bumps generation');
  t.same(u.status, { replicas: 1 }, 'update keeps status');
  t.same(u.metadata.labels, { tier: 'front' });
  t.equal(u.metadata.uid, 'rs-1');
  t.equal(u.metadata.creationTimestamp, T0);
  const stale = edit(cur);
  stale.spec.replicas = 5;
  const c = err(s.apply({ type: 'update', object: stale }));
  t.ok(c instanceof ConflictError, 'stale resourceVersion');
  t.equal(c.code, 'Conflict');
  const noRv = edit(u);
  delete noRv.metadata.resourceVersion;
  noRv.metadata.annotations = { a: 'b' };
  const m = ok(s.apply({ type: 'update', object: noRv }));
  t.equal(m.metadata.generation, 2, 'metadata-only change keeps generation');
  const wrongUid = edit(m);
  wrongUid.metadata.uid = 'other';
  t.ok(err(s.apply({ type: 'update', object: wrongUid })) instanceof PreconditionError);
  const rev = s.revision;
  const same = ok(s.apply({ type: 'update', object: edit(m) }));
  t.equal(same, s.get(key('ReplicaSet', 'web')), 'a no-op update returns the stored object');
  t.equal(s.revision, rev, 'and does not bump the revision');
  t.ok(err(s.apply({ type: 'update', object: replicaSet('missing') })) instanceof NotFoundError);
  const bad = edit(m);
  bad.spec.replicas = -1;
  t.match(err(s.apply({ type: 'update', object: bad })).message, /spec\.replicas: Invalid value: -1/);
});

t.test('updateStatus writes status only', async (t) => {
  const s = newStore();
  const p = ok(s.apply(create(pod('p'))));
  const e = edit(p);
  e.status = { phase: 'Running', podIP: '10.1.0.5' };
  e.spec.containers[0].image = 'changed';
  e.metadata.labels = { sneaky: 'yes' };
  const u = ok(s.apply({ type: 'updateStatus', object: e }));
  t.same(u.status, { phase: 'Running', podIP: '10.1.0.5' });
  t.equal((u.spec as { containers: { image: string }[] }).containers[0]?.image, 'shoal/busybox:latest');
  t.equal(u.metadata.labels, undefined);
  t.equal(u.metadata.generation, 1, 'status does not bump generation');
  t.equal(u.metadata.resourceVersion, String(s.revision));
  t.ok(err(s.apply({ type: 'updateStatus', object: e })) instanceof ConflictError, 'stale resourceVersion');
  const bad = edit(u);
  bad.status = { phase: 'Dancing' };
  t.ok(err(s.apply({ type: 'updateStatus', object: bad })) instanceof InvalidError);
  t.ok(err(s.apply({ type: 'updateStatus', object: pod('none') })) instanceof NotFoundError);
});

t.test('pods: nodeName only through bind; immutable config maps; secrets merge stringData', async (t) => {
  const s = newStore();
  const p = ok(s.apply(create(pod('p'))));
  const e = edit(p);
  e.spec.nodeName = 'n1';
  t.match(err(s.apply({ type: 'update', object: e })).message, /spec\.nodeName: Forbidden/);
  ok(s.apply({ type: 'bind', key: key('Pod', 'p'), nodeName: 'n1' }));
  const bound = edit(s.get(key('Pod', 'p')));
  delete bound.spec.nodeName;
  bound.metadata.labels = { a: 'b' };
  t.equal((ok(s.apply({ type: 'update', object: bound })).spec as { nodeName?: string }).nodeName, 'n1', 'an update without nodeName keeps it');

  const cm = ok(s.apply(create({ ...configMap('frozen'), immutable: true } as never)));
  const ce = edit(cm);
  ce.data.k = 'changed';
  t.match(err(s.apply({ type: 'update', object: ce })).message, /data: Forbidden: field is immutable/);
  const ce2 = edit(cm);
  ce2.metadata.labels = { ok: 'yes' };
  ok(s.apply({ type: 'update', object: ce2 }));

  const sec = ok(s.apply(create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hunter2' } } as never)));
  t.same((sec as unknown as { data: object }).data, { a: 'YQ==', b: Buffer.from('hunter2').toString('base64') });
  t.equal((sec as unknown as { stringData?: object }).stringData, undefined);
  t.equal((sec as unknown as { type: string }).type, 'Opaque');
  const se = edit(sec);
  se.stringData = { a: 'new' };
  t.same((ok(s.apply({ type: 'update', object: se })) as unknown as { data: object }).data, { a: Buffer.from('new').toString('base64'), b: Buffer.from('hunter2').toString('base64') });
  const cmGen = ok(s.apply(create(configMap('g'))));
  const cg = edit(cmGen);
  cg.data = { k: 'v2' };
  t.equal(ok(s.apply({ type: 'update', object: cg })).metadata.generation, 2, 'data changes count as spec changes');
});

t.test('create starts status afresh, except for nodes', async (t) => {
  const s = newStore();
  const p = pod('p');
  p.status = { phase: 'Running', podIP: '10.0.0.9' };
  t.same(ok(s.apply(create(p))).status, { phase: 'Pending' });
  const rs = replicaSet('rs');
  rs.status = { replicas: 5 };
  t.equal(ok(s.apply(create(rs))).status, undefined);
  const ns = namespace('x');
  ns.status = { phase: 'Terminating' };
  t.same(ok(s.apply(create(ns))).status, { phase: 'Active' });
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8Gi' } } };
  t.same(ok(s.apply(create(node))).status, { capacity: { cpu: '4', memory: '8Gi' } });
});

t.test('update refuses changes to immutable fields', async (t) => {
  const s = newStore();
  const p = ok(s.apply(create(pod('p'))));
  const e = edit(p);
  e.spec.restartPolicy = 'Never';
  t.match(err(s.apply({ type: 'update', object: e })).message, /spec: Forbidden: pod updates may not change fields/);
  const img = edit(p);
  img.spec.containers[0].image = 'v2';
  t.equal(ok(s.apply({ type: 'update', object: img })).metadata.generation, 2, 'an image change is allowed');
  const rs = ok(s.apply(create(replicaSet('rs'))));
  const sel = edit(rs);
  sel.spec.selector = { matchLabels: { app: 'rs', extra: 'x' } };
  sel.spec.template.metadata.labels = { app: 'rs', extra: 'x' };
  t.match(err(s.apply({ type: 'update', object: sel })).message, /spec\.selector: Invalid value: .*field is immutable/);
});

t.test('apply creates, then updates, in one command each', async (t) => {
  const s = newStore();
  const applyCmd = (o: KubeObject, uid = 'ua', timestamp = T0): Command => ({ type: 'apply', object: o, uid, timestamp });
  const r1 = s.apply(applyCmd(configMap('cfg', { a: '1' }), 'u-apply', '2026-02-03T04:05:06Z'));
  t.equal(r1.ok && r1.applied, 'created');
  const o1 = ok(r1);
  t.equal(o1.metadata.uid, 'u-apply');
  t.equal(o1.metadata.creationTimestamp, '2026-02-03T04:05:06Z');

  const r2 = s.apply(applyCmd(configMap('cfg', { a: '2' }), 'other-uid', '2027-01-01T00:00:00Z'));
  t.equal(r2.ok && r2.applied, 'configured');
  const o2 = ok(r2);
  t.equal(o2.metadata.uid, 'u-apply', 'an update keeps the uid');
  t.equal(o2.metadata.creationTimestamp, '2026-02-03T04:05:06Z', 'and the creation time');
  t.same((o2 as unknown as { data: unknown }).data, { a: '2' });
  t.not(o2.metadata.resourceVersion, o1.metadata.resourceVersion);

  const rev = s.revision;
  const r3 = s.apply(applyCmd(configMap('cfg', { a: '2' })));
  t.equal(r3.ok && r3.applied, 'unchanged');
  t.equal(ok(r3), o2, 'the stored object is returned as it was');
  t.equal(s.revision, rev, 'an unchanged apply writes nothing');

  const stale = configMap('cfg', { a: '3' });
  stale.metadata.resourceVersion = o1.metadata.resourceVersion;
  t.ok(err(s.apply(applyCmd(stale))) instanceof ConflictError, 'a set resourceVersion is a precondition');
  const fresh = configMap('cfg', { a: '3' });
  fresh.metadata.resourceVersion = o2.metadata.resourceVersion;
  t.equal(s.apply(applyCmd(fresh)).ok, true);

  // A pod's status is the node's: an apply that finds the pod keeps it.
  ok(s.apply(create(pod('p'), 'u-p')));
  ok(s.apply({ type: 'updateStatus', object: { ...pod('p'), status: { phase: 'Running' } } }));
  const withStatus = { ...pod('p', { labels: { x: 'y' } }), status: { phase: 'Failed' } };
  const p = ok(s.apply(applyCmd(withStatus)));
  t.equal((p.status as { phase: string }).phase, 'Running');
  t.same(p.metadata.labels, { x: 'y' });

  t.ok(err(s.apply(applyCmd(pod('Bad_Name')))) instanceof InvalidError, 'created objects are validated');
  t.ok(err(s.apply({ type: 'apply', object: configMap('new'), uid: '', timestamp: T0 })) instanceof InvalidError, 'uid required to create');
  t.ok(err(s.apply({ type: 'apply', object: { kind: 'ConfigMap', metadata: {} } } as never)) instanceof InvalidError, 'malformed apply fails, never throws');
});
