import t from 'tap';
import { parseFieldSelector, parseSelector } from '@shoal/api';
import { CompactedError, WatchRequestError, type WatchEvent } from '../src/index.js';
import { T0, configMap, create, edit, key, newStore, ok, pod } from './helpers.js';

const brief = (e: WatchEvent): string => (e.type === 'BOOKMARK' || e.type === 'ERROR' ? `${e.type}@${e.revision}` : `${e.type} ${e.object.metadata.name}@${e.revision}`);

t.test('events in order, every revision once, objects carry their resourceVersion', async (t) => {
  const s = newStore();
  const events: WatchEvent[] = [];
  const from = s.revision;
  const cancel = s.watch({ fromRevision: from }, (e) => events.push(e));
  const a = ok(s.apply(create(configMap('a'))));
  const e = edit(a);
  e.data.k = 'v2';
  ok(s.apply({ type: 'update', object: e }));
  ok(s.apply({ type: 'delete', key: key('ConfigMap', 'a'), timestamp: T0 }));
  t.same(events.map(brief), ['ADDED a@3', 'MODIFIED a@4', 'DELETED a@5']);
  for (const ev of events) if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') t.equal(ev.object.metadata.resourceVersion, String(ev.revision));
  cancel();
  ok(s.apply(create(configMap('b'))));
  t.equal(events.length, 3, 'nothing after cancel');
  t.equal(s.watcherCount, 0);
});

t.test('resume from any retained revision replays exactly what followed', async (t) => {
  const s = newStore();
  for (let i = 0; i < 10; i++) ok(s.apply(create(configMap(`c${i}`))));
  const seen: number[] = [];
  s.watch({ fromRevision: 7 }, (e) => seen.push(e.revision));
  t.same(seen, [8, 9, 10, 11, 12], 'replayed synchronously');
  ok(s.apply(create(configMap('live'))));
  t.same(seen, [8, 9, 10, 11, 12, 13], 'then live');
  const all: number[] = [];
  s.watch({ fromRevision: 0 }, (e) => all.push(e.revision));
  t.same(all, Array.from({ length: 13 }, (_, i) => i + 1), 'from 0: the whole history, bootstrap included');
  const future: number[] = [];
  s.watch({ fromRevision: 15 }, (e) => future.push(e.revision));
  ok(s.apply(create(configMap('x1'))));
  ok(s.apply(create(configMap('x2'))));
  ok(s.apply(create(configMap('x3'))));
  t.same(future, [16], 'a revision ahead of the store waits for it');
  const now: number[] = [];
  s.watch({}, (e) => now.push(e.revision));
  ok(s.apply(create(configMap('y'))));
  t.same(now, [s.revision], 'no fromRevision: only new changes');
});

t.test('compacted revisions are refused with a relist hint', async (t) => {
  const s = newStore({ historyLimit: 5 });
  for (let i = 0; i < 10; i++) ok(s.apply(create(configMap(`c${i}`))));
  t.equal(s.revision, 12);
  t.equal(s.oldestRevision, 7);
  const e = (() => {
    try {
      s.watch({ fromRevision: 6 }, () => undefined);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  t.ok(e instanceof CompactedError);
  t.match((e as Error).message, /compacted.*list again/);
  t.equal((e as CompactedError).oldest, 7);
  const got: number[] = [];
  s.watch({ fromRevision: 7 }, (ev) => got.push(ev.revision));
  t.same(got, [8, 9, 10, 11, 12], 'the oldest retained still works');
  t.throws(() => s.watch({ fromRevision: -1 }, () => undefined), WatchRequestError);
  t.throws(() => s.watch({ fromRevision: Number.NaN }, () => undefined), WatchRequestError);
  t.throws(() => s.watch({ fromRevision: 1.5 }, () => undefined), WatchRequestError);
});

t.test('filters: kind, namespace, labels, fields; objects moving in and out', async (t) => {
  const s = newStore();
  const web: string[] = [];
  const onNode: string[] = [];
  const pods: string[] = [];
  s.watch({ kind: 'Pod', labelSelector: parseSelector('app=web') }, (e) => web.push(brief(e)));
  s.watch({ kind: 'Pod', fieldSelector: parseFieldSelector('spec.nodeName=n1') }, (e) => onNode.push(brief(e)));
  s.watch({ kind: 'Pod', namespace: 'kube-system' }, (e) => pods.push(brief(e)));
  ok(s.apply(create(configMap('noise'))));
  const p = ok(s.apply(create(pod('p', { labels: { app: 'db' } }))));
  const e1 = edit(p);
  e1.metadata.labels = { app: 'web' };
  ok(s.apply({ type: 'update', object: e1 }));
  ok(s.apply({ type: 'bind', key: key('Pod', 'p'), nodeName: 'n1' }));
  const e2 = edit(s.get(key('Pod', 'p')));
  e2.metadata.labels = { app: 'db' };
  ok(s.apply({ type: 'update', object: e2 }));
  ok(s.apply({ type: 'delete', key: key('Pod', 'p'), timestamp: T0, gracePeriodSeconds: 0 }));
  ok(s.apply(create(pod('sys', { namespace: 'kube-system' }))));
  t.same(web, ['ADDED p@5', 'MODIFIED p@6', 'DELETED p@7'], 'label change in: ADDED; out: DELETED');
  t.same(onNode, ['ADDED p@6', 'MODIFIED p@7', 'DELETED p@8'], 'binding moves a pod into a node watch');
  t.same(pods, ['ADDED sys@9']);
});

t.test('bookmarks and failing consumers', async (t) => {
  const errors: unknown[] = [];
  const s = newStore({ onWatcherError: (e) => errors.push(e) });
  const got: string[] = [];
  s.watch({}, (e) => got.push(brief(e)));
  s.watch({}, () => {
    throw new Error('consumer broke');
  });
  t.equal(s.watcherCount, 2);
  s.bookmark();
  t.same(got, ['BOOKMARK@2']);
  t.equal(s.watcherCount, 1, 'the failing watcher is closed');
  t.match(String(errors[0]), /consumer broke/);
  ok(s.apply(create(configMap('a'))));
  t.same(got, ['BOOKMARK@2', 'ADDED a@3'], 'apply goes on for the others');
});

t.test('a watcher may cancel itself or others while events are delivered', async (t) => {
  const s = newStore();
  const got: number[] = [];
  const cancel = s.watch({ fromRevision: 0 }, (e) => {
    got.push(e.revision);
    if (e.revision === 1) cancel();
  });
  t.same(got, [1], 'cancelling during replay stops the replay');
  ok(s.apply(create(configMap('a'))));
  t.same(got, [1]);
});
