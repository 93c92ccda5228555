/**
 * Property tests: random command sequences applied to independent replicas
 * keep them byte-identical, revisions strictly increase with no gaps in the
 * watch stream, indexes agree with a full scan, and a replica restored from
 * a mid-way snapshot ends in the same state.
 *
 * Steps are generated as intents ("update object #k"); a driver resolves each
 * against replica A's current objects, so most commands hit live objects.
 * The resolved command is then applied, unchanged, to every replica.
 * Replay a failure with SEED=<seed> (printed by fast-check).
 */
import t from 'tap';
import fc from 'fast-check';
import type { KubeObject } from '@shoal/api';
import { ObjectStore, type Command, type SingleCommand, type StoredObject } from '../src/index.js';

const TS = '2026-01-01T00:00:00Z';
const config = { serviceCIDR: '10.0.0.0/28', nodePortRange: [30000, 30004] as const, historyLimit: 50 };

const name = fc.constantFrom('a', 'b', 'c', 'd');
const ns = fc.oneof({ weight: 4, arbitrary: fc.constant('default') }, { weight: 1, arbitrary: fc.constant('ns1') });
const labels = fc.option(fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db')), { nil: undefined });

/** An owner uid: one of the first objects' uids (they are small numbers), or a dangling one. */
const ownerUid = fc.integer({ min: 0, max: 12 }).map((n) => `uid-${n}`);

const podObj = fc.record({ name, ns, labels, owner: fc.option(ownerUid, { nil: undefined }), fin: fc.boolean(), node: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }), image: fc.constantFrom('i1', 'i2') }).map(
  (p): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.ns,
      ...(p.labels ? { labels: p.labels } : {}),
      ...(p.owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: p.owner }] } : {}),
      ...(p.fin ? { finalizers: ['example.com/f'] } : {}),
    },
    spec: { containers: [{ name: 'c', image: p.image }], ...(p.node ? { nodeName: p.node } : {}) },
  }),
);
const cmObj = fc.record({ name, ns, v: fc.constantFrom('1', '2') }).map((c): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: c.name, namespace: c.ns }, data: { k: c.v } } as KubeObject));
const svcObj = fc.record({ name, nodePort: fc.boolean() }).map((s): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: s.name }, spec: { ...(s.nodePort ? { type: 'NodePort' } : {}), ports: [{ port: 80 }] } }));
const nsObj = fc.constant<KubeObject>({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
const anyObj = fc.oneof({ weight: 4, arbitrary: podObj }, { weight: 2, arbitrary: cmObj }, { weight: 1, arbitrary: svcObj }, { weight: 1, arbitrary: nsObj });

/** What a step wants to do; `pick` chooses the target among live objects. */
type Intent =
  | { op: 'create'; object: KubeObject }
  | { op: 'apply'; object: KubeObject }
  | { op: 'update'; pick: number; image: string; labels?: Record<string, string>; stale: boolean }
  | { op: 'status'; pick: number; phase: string }
  | { op: 'delete'; pick: number; policy: 'Background' | 'Foreground' | 'Orphan'; grace?: number }
  | { op: 'bind'; pick: number; node: string }
  | { op: 'patch'; pick: number; add: boolean };

const pick = fc.nat();
const intent: fc.Arbitrary<Intent> = fc.oneof(
  { weight: 4, arbitrary: anyObj.map((object): Intent => ({ op: 'create', object })) },
  { weight: 2, arbitrary: anyObj.map((object): Intent => ({ op: 'apply', object })) },
  { weight: 2, arbitrary: fc.record({ pick, image: fc.constantFrom('i1', 'i3'), labels, stale: fc.boolean() }).map((x): Intent => ({ op: 'update', ...x })) },
  { weight: 2, arbitrary: fc.record({ pick, phase: fc.constantFrom('Running', 'Succeeded', 'Failed') }).map((x): Intent => ({ op: 'status', ...x })) },
  { weight: 2, arbitrary: fc.record({ pick, policy: fc.constantFrom('Background' as const, 'Foreground' as const, 'Orphan' as const), grace: fc.constantFrom(undefined, 0, 5) }).map((x): Intent => ({ op: 'delete', ...x })) },
  { weight: 2, arbitrary: fc.record({ pick, node: fc.constantFrom('n1', 'n2') }).map((x): Intent => ({ op: 'bind', ...x })) },
  { weight: 1, arbitrary: fc.record({ pick, add: fc.boolean() }).map((x): Intent => ({ op: 'patch', ...x })) },
);
type Step = { batch: false; intent: Intent } | { batch: true; intents: Intent[] };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: intent.map((i): Step => ({ batch: false, intent: i })) },
  { weight: 1, arbitrary: fc.array(intent, { minLength: 1, maxLength: 4 }).map((intents): Step => ({ batch: true, intents })) },
);

const KINDS = ['Pod', 'ConfigMap', 'Service', 'Namespace'];
const keyOf = (o: KubeObject) => ({ kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name });

/** Resolves intents against the live objects of `s`; `uids` hands out uid-0, uid-1, ... */
function resolve(s: ObjectStore, i: Intent, uids: { next: number }): SingleCommand {
  if (i.op === 'create') return { type: 'create', object: i.object, uid: `uid-${uids.next++}`, timestamp: TS };
  if (i.op === 'apply') return { type: 'apply', object: i.object, uid: `uid-${uids.next++}`, timestamp: TS };
  const live: StoredObject[] = KINDS.flatMap((k) => s.list(k)).filter((o) => !o.metadata.uid?.startsWith('namespace-'));
  const target = live[i.pick % Math.max(live.length, 1)] ?? { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gone', namespace: 'default' } };
  const key = keyOf(target);
  switch (i.op) {
    case 'update': {
      const o = structuredClone(target) as KubeObject & { spec?: { containers?: { image: string }[] } };
      if (o.spec?.containers?.[0]) o.spec.containers[0].image = i.image;
      if (i.labels) o.metadata.labels = i.labels;
      if (i.stale) o.metadata.resourceVersion = '1';
      return { type: 'update', object: o };
    }
    case 'status':
      return { type: 'updateStatus', object: { ...structuredClone(target), status: target.kind === 'Pod' ? { phase: i.phase } : target.status } as KubeObject };
    case 'delete':
      return { type: 'delete', key, timestamp: TS, propagationPolicy: i.policy, ...(i.grace !== undefined ? { gracePeriodSeconds: i.grace } : {}) };
    case 'bind':
      return { type: 'bind', key, nodeName: i.node };
    case 'patch':
      return i.add
        ? { type: 'patchMetadata', key, addFinalizers: ['example.com/g'], labels: { tier: 'web' } }
        : { type: 'patchMetadata', key, removeFinalizers: ['example.com/f', 'example.com/g', 'foregroundDeletion'], removeOwnerUids: ['uid-0', 'uid-1', 'uid-2'] };
  }
}

function checkIndexes(s: ObjectStore): string | undefined {
  for (const node of ['n1', 'n2']) {
    const scan = s.list('Pod').filter((p) => (p.spec as { nodeName?: string }).nodeName === node).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    const idx = s.podsOnNode(node).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    if (JSON.stringify(scan) !== JSON.stringify(idx)) return `node index for ${node}: ${idx} != ${scan}`;
  }
  for (const o of KINDS.flatMap((k) => s.list(k))) {
    if (Number(o.metadata.resourceVersion) > s.revision) return `resourceVersion ${o.metadata.resourceVersion} ahead of revision ${s.revision}`;
    if (s.getByUid(o.metadata.uid ?? '') !== o) return `uid index misses ${o.metadata.name}`;
    for (const ref of o.metadata.ownerReferences ?? []) {
      if (!s.dependents(ref.uid).includes(o)) return `owner index misses ${o.metadata.name}`;
    }
  }
  return undefined;
}

const stats = { changes: 0, failures: 0 };
t.test('replicas applying the same commands stay byte-identical', async (t) => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 5, maxLength: 60 }), fc.nat(), (steps, cut) => {
      const watchErrors: unknown[] = [];
      const a = new ObjectStore({ ...config, onWatcherError: (e) => watchErrors.push(e) });
      const b = new ObjectStore(config);
      const revisions: number[] = [];
      // The event stream must describe a consistent life for every key: ADDED when absent, then MODIFIED, then DELETED.
      const present = new Set<string>();
      a.watch({ fromRevision: 0 }, (e) => {
        revisions.push(e.revision);
        if (e.type === 'BOOKMARK' || e.type === 'ERROR') return;
        const k = `${e.object.kind}/${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
        if ((e.type === 'ADDED') === present.has(k)) throw new Error(`${e.type} for ${k} which is ${present.has(k) ? 'present' : 'absent'}`);
        if (e.type === 'ADDED') present.add(k);
        if (e.type === 'DELETED') present.delete(k);
      });
      const split = cut % steps.length;
      const uids = { next: 0 };
      let c: ObjectStore | undefined;
      let last = a.revision;
      steps.forEach((st, i) => {
        const cmd: Command = st.batch ? { type: 'batch', commands: st.intents.map((x) => resolve(a, x, uids)) } : resolve(a, st.intent, uids);
        if (i === split) {
          c = new ObjectStore(config);
          c.restore(a.snapshot());
        }
        const ra = a.apply(structuredClone(cmd));
        const rb = b.apply(structuredClone(cmd));
        c?.apply(structuredClone(cmd));
        if (ra.ok !== rb.ok || ra.revision !== rb.revision) throw new Error(`replicas disagree on step ${i}`);
        if (ra.revision < last) throw new Error('revision went backwards');
        for (const r of ra.ok && ra.results ? ra.results : [ra]) if (!r.ok) stats.failures++;
        last = ra.revision;
        const bad = checkIndexes(a);
        if (bad) throw new Error(`after step ${i}: ${bad}`);
      });
      if (watchErrors.length > 0) throw watchErrors[0];
      const snap = Buffer.from(a.snapshot());
      if (!snap.equals(Buffer.from(b.snapshot()))) throw new Error('snapshots differ');
      if (c && !snap.equals(Buffer.from(c.snapshot()))) throw new Error('restored replica differs');
      revisions.forEach((r, i) => {
        if (r !== i + 1) throw new Error(`watch saw revision ${r} at position ${i}: gap or repeat`);
      });
      if (revisions.length !== a.revision) throw new Error('watch missed events');
      if (present.size !== KINDS.reduce((n, k) => n + a.list(k).length, 0)) throw new Error('events disagree with the final state');
      stats.changes += a.revision - 2;
      // A late watcher resuming from any retained revision sees the same tail.
      const from = Math.max(a.oldestRevision, a.revision - 10);
      const tail: number[] = [];
      a.watch({ fromRevision: from }, (e) => tail.push(e.revision));
      if (JSON.stringify(tail) !== JSON.stringify(revisions.filter((r) => r > from))) throw new Error('resume differs from live');
    }),
    { numRuns: 300, seed: Number(process.env.SEED ?? 0x5ea1), verbose: 0 },
  );
  // The generators must produce real changes, not only failing commands.
  t.ok(stats.changes > 300 * 5, `${stats.changes} changes and ${stats.failures} refused commands over 300 sequences`);
  t.ok(stats.failures > 300, 'refusals are exercised too');
});
