import t from 'tap';
import { CLAIM_PROTECTION_FINALIZER, type KubeObject } from '@shoal/api';
import { FOREGROUND_FINALIZER, ForbiddenError, InvalidError, NotFoundError, PreconditionError, ConflictError, type ApplyResult } from '../src/index.js';
import { T0, configMap, create, edit, err, key, namespace, newStore, ok, pod, replicaSet } from './helpers.js';

const del = (k: ReturnType<typeof key>, extra: Record<string, unknown> = {}) => ({ type: 'delete' as const, key: k, timestamp: T0, ...extra });
const removed = (r: ApplyResult): boolean | undefined => (r.ok ? r.removed : undefined);

t.test('plain objects and unbound pods go at once', async (t) => {
  const s = newStore();
  ok(s.apply(create(configMap('a'))));
  ok(s.apply(create(pod('p'))));
  const r = s.apply(del(key('ConfigMap', 'a')));
  t.equal(removed(r), true);
  t.equal(ok(r).metadata.resourceVersion, String(s.revision), 'the last state carries the deletion revision');
  t.equal(s.get(key('ConfigMap', 'a')), undefined);
  t.equal(removed(s.apply(del(key('Pod', 'p')))), true, 'an unbound pod is removed at once');
  t.ok(err(s.apply(del(key('Pod', 'p')))) instanceof NotFoundError);
  t.ok(err(s.apply(del(key('ConfigMap', 'x'), { propagationPolicy: 'Sideways' }))) instanceof InvalidError);
  t.ok(err(s.apply(del(key('ConfigMap', 'x'), { gracePeriodSeconds: -1 }))) instanceof InvalidError);
  t.ok(err(s.apply({ type: 'delete', key: key('ConfigMap', 'x'), timestamp: 'soon' })) instanceof InvalidError);
});

t.test('preconditions', async (t) => {
  const s = newStore();
  const a = ok(s.apply(create(configMap('a'), 'ua')));
  t.ok(err(s.apply(del(key('ConfigMap', 'a'), { uid: 'other' }))) instanceof PreconditionError);
  t.ok(err(s.apply(del(key('ConfigMap', 'a'), { resourceVersion: '1' }))) instanceof ConflictError);
  t.equal(removed(s.apply(del(key('ConfigMap', 'a'), { uid: 'ua', resourceVersion: a.metadata.resourceVersion }))), true);
});

t.test('bound pods delete gracefully until the agent confirms', async (t) => {
  const s = newStore();
  ok(s.apply(create(pod('p', { nodeName: 'n1' }))));
  const r = s.apply(del(key('Pod', 'p')));
  t.equal(removed(r), false);
  const marked = ok(r);
  t.equal(marked.metadata.deletionTimestamp, '2026-01-01T00:00:30Z', 'now + terminationGracePeriodSeconds');
  t.equal(marked.metadata.deletionGracePeriodSeconds, 30);
  const rev = s.revision;
  t.equal(removed(s.apply(del(key('Pod', 'p')))), false, 'a repeated delete changes nothing');
  t.equal(s.revision, rev);
  const shorter = ok(s.apply(del(key('Pod', 'p'), { gracePeriodSeconds: 5 })));
  t.equal(shorter.metadata.deletionGracePeriodSeconds, 5, 'a shorter grace period wins');
  t.equal(ok(s.apply(del(key('Pod', 'p'), { gracePeriodSeconds: 60 }))).metadata.deletionGracePeriodSeconds, 5, 'never lengthened');
  t.equal(removed(s.apply(del(key('Pod', 'p'), { gracePeriodSeconds: 0 }))), true, 'grace 0 from the agent removes it');
  t.equal(s.get(key('Pod', 'p')), undefined);
});

t.test('grace period choices for pods', async (t) => {
  const s = newStore();
  const p = pod('custom', { nodeName: 'n1' });
  (p.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds = 7;
  ok(s.apply(create(p)));
  t.equal(ok(s.apply(del(key('Pod', 'custom')))).metadata.deletionGracePeriodSeconds, 7);
  ok(s.apply(create(pod('forced', { nodeName: 'n1' }))));
  t.equal(removed(s.apply(del(key('Pod', 'forced'), { gracePeriodSeconds: 0 }))), true, 'a forced delete goes at once');
  const done = ok(s.apply(create(pod('done', { nodeName: 'n1' }))));
  ok(s.apply({ type: 'updateStatus', object: { ...edit(done), status: { phase: 'Succeeded' } } }));
  t.equal(removed(s.apply(del(key('Pod', 'done')))), true, 'a finished pod goes at once');
});

t.test('finalizers hold deletion until the last one goes', async (t) => {
  const s = newStore();
  const c = configMap('held');
  c.metadata.finalizers = ['example.com/a', 'example.com/b'];
  ok(s.apply(create(c)));
  const r = s.apply(del(key('ConfigMap', 'held')));
  t.equal(removed(r), false);
  t.equal(ok(r).metadata.deletionTimestamp, T0);
  t.ok(err(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'held'), addFinalizers: ['example.com/c'] })) instanceof InvalidError, 'no new finalizers while deleting');
  ok(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'held'), removeFinalizers: ['example.com/a'] }));
  t.ok(s.get(key('ConfigMap', 'held')), 'one finalizer left');
  const last = edit(s.get(key('ConfigMap', 'held')));
  last.metadata.finalizers = [];
  ok(s.apply({ type: 'update', object: last }));
  t.equal(s.get(key('ConfigMap', 'held')), undefined, 'an update removing the last finalizer removes the object');

  const fp = pod('fp', { nodeName: 'n1', finalizers: ['example.com/x'] });
  ok(s.apply(create(fp)));
  ok(s.apply(del(key('Pod', 'fp'), { gracePeriodSeconds: 0 })));
  t.ok(s.get(key('Pod', 'fp')), 'a pod with finalizers stays after its containers stopped');
  ok(s.apply({ type: 'patchMetadata', key: key('Pod', 'fp'), removeFinalizers: ['example.com/x'] }));
  t.equal(s.get(key('Pod', 'fp')), undefined);
});

t.test('propagation: Orphan strips ownerReferences in the same apply', async (t) => {
  const s = newStore();
  ok(s.apply(create(replicaSet('rs'), 'rs-uid')));
  ok(s.apply(create(pod('a', { owner: 'rs-uid' }))));
  ok(s.apply(create(pod('b', { owner: 'rs-uid' }))));
  t.equal(s.dependents('rs-uid').length, 2);
  const rev = s.revision;
  t.equal(removed(s.apply(del(key('ReplicaSet', 'rs'), { propagationPolicy: 'Orphan' }))), true);
  t.equal(s.revision, rev + 3, 'two dependents modified, one owner deleted');
  t.equal(s.get(key('Pod', 'a'))?.metadata.ownerReferences, undefined);
  t.equal(s.dependents('rs-uid').length, 0);
});

t.test('propagation: Background removes the owner only', async (t) => {
  const s = newStore();
  ok(s.apply(create(replicaSet('rs'), 'rs-uid')));
  ok(s.apply(create(pod('a', { owner: 'rs-uid' }))));
  t.equal(removed(s.apply(del(key('ReplicaSet', 'rs')))), true);
  t.equal(s.get(key('Pod', 'a'))?.metadata.ownerReferences?.[0]?.uid, 'rs-uid', 'the GC controller handles dependents');
  t.equal(s.dependents('rs-uid').length, 1);
});

t.test('propagation: Foreground waits on the foregroundDeletion finalizer', async (t) => {
  const s = newStore();
  ok(s.apply(create(replicaSet('rs'), 'rs-uid')));
  ok(s.apply(create(pod('a', { owner: 'rs-uid' }))));
  const r = s.apply(del(key('ReplicaSet', 'rs'), { propagationPolicy: 'Foreground' }));
  t.equal(removed(r), false);
  t.same(ok(r).metadata.finalizers, [FOREGROUND_FINALIZER]);
  t.ok(ok(r).metadata.deletionTimestamp);
  ok(s.apply(del(key('Pod', 'a'))));
  ok(s.apply({ type: 'patchMetadata', key: key('ReplicaSet', 'rs'), removeFinalizers: [FOREGROUND_FINALIZER] }));
  t.equal(s.get(key('ReplicaSet', 'rs')), undefined);
  ok(s.apply(create(replicaSet('lonely'))));
  t.equal(removed(s.apply(del(key('ReplicaSet', 'lonely'), { propagationPolicy: 'Foreground' }))), true, 'no dependents: nothing to wait for');
});

t.test('a namespace whose objects all go at once is deleted exactly once', async (t) => {
  const s = newStore();
  ok(s.apply(create(namespace('team'))));
  ok(s.apply(create(configMap('a', {}, 'team'))));
  ok(s.apply(create(pod('p', { namespace: 'team' }))));
  const events: string[] = [];
  s.watch({}, (e) => events.push(e.type === 'BOOKMARK' || e.type === 'ERROR' ? e.type : `${e.type} ${e.object.kind}/${e.object.metadata.name}`));
  const r = s.apply(del(key('Namespace', 'team')));
  t.equal(removed(r), true);
  t.same(events, ['MODIFIED Namespace/team', 'DELETED ConfigMap/a', 'DELETED Pod/p', 'DELETED Namespace/team']);
  ok(s.apply(create(namespace('held'))));
  ok(s.apply(create(configMap('c', {}, 'held'))));
  ok(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'c', 'held'), addFinalizers: ['x.io/keep'] }));
  ok(s.apply(del(key('Namespace', 'held'))));
  const nsMeta = edit(s.get(key('Namespace', 'held')));
  nsMeta.metadata.labels = { touched: 'yes' };
  ok(s.apply({ type: 'update', object: nsMeta }));
  t.ok(s.get(key('Namespace', 'held')), 'an update does not remove a namespace that still has objects');
  ok(s.apply({ type: 'patchMetadata', key: key('ConfigMap', 'c', 'held'), removeFinalizers: ['x.io/keep'] }));
  t.equal(s.get(key('Namespace', 'held')), undefined, 'it goes with its last object');
});

t.test('deleting a namespace deletes its objects, then itself', async (t) => {
  const s = newStore();
  ok(s.apply(create(namespace('team'))));
  ok(s.apply(create(configMap('a', {}, 'team'))));
  ok(s.apply(create(pod('p', { namespace: 'team', nodeName: 'n1' }))));
  ok(s.apply(create(configMap('other'))));
  const r = s.apply(del(key('Namespace', 'team')));
  t.equal(removed(r), false, 'the bound pod is still terminating');
  t.equal((s.get(key('Namespace', 'team'))?.status as { phase: string }).phase, 'Terminating');
  t.equal(s.get(key('ConfigMap', 'a', 'team')), undefined);
  t.ok(s.get(key('Pod', 'p', 'team'))?.metadata.deletionTimestamp);
  t.ok(s.get(key('ConfigMap', 'other')), 'other namespaces untouched');
  ok(s.apply(del(key('Pod', 'p', 'team'), { gracePeriodSeconds: 0 })));
  t.equal(s.get(key('Namespace', 'team')), undefined, 'the namespace goes with its last object');
  ok(s.apply(create(namespace('empty'))));
  t.equal(removed(s.apply(del(key('Namespace', 'empty')))), true, 'an empty namespace goes at once');
  t.ok(err(s.apply(del(key('Namespace', 'default')))) instanceof ForbiddenError);
  t.ok(err(s.apply(del(key('Namespace', 'kube-system')))) instanceof ForbiddenError);
});

t.test('a claim is protected by a server finalizer that only its owner removes, once deletion started', async (t) => {
  const s = newStore();
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: {} } as KubeObject;
  const made = ok(s.apply(create(claim, 'uc')));
  t.same(made.metadata.finalizers, [CLAIM_PROTECTION_FINALIZER], 'added on create');
  t.same(made.status, { phase: 'Pending' });
  // An update that does not carry the finalizer (a plain `apply`) keeps it.
  const updated = ok(s.apply({ type: 'update', object: { ...claim, metadata: { name: 'data', labels: { a: 'b' } } } }));
  t.same([updated.metadata.finalizers, updated.metadata.labels], [[CLAIM_PROTECTION_FINALIZER], { a: 'b' }]);
  t.equal(removed(s.apply(del(key('PersistentVolumeClaim', 'data')))), false, 'deletion waits for the finalizer');
  const terminating = s.get(key('PersistentVolumeClaim', 'data'))!;
  t.ok(terminating.metadata.deletionTimestamp);
  const r = s.apply({ type: 'update', object: { ...terminating, metadata: { ...terminating.metadata, finalizers: [] } } });
  t.ok(r.ok, 'the finalizer may be removed once deletion started');
  t.equal(s.get(key('PersistentVolumeClaim', 'data')), undefined);
});
