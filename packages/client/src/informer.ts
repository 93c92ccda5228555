/**
 * List-then-watch with a local cache, in the manner of a Kubernetes
 * informer: list every object of a kind, hand each to the handler as ADDED,
 * then watch from the list's revision. When the watch's revision has been
 * compacted, list again and hand over the difference (ADDED, MODIFIED,
 * DELETED) so the handler's view stays exact without seeing duplicates.
 */
import type { KubeObject } from '@shoal/api';
import { CompactedError } from './errors.js';
import type { WatchOptions } from './watch.js';

export type InformerEvent<T extends KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T; revision: number }
  /** The cache holds a complete list as of `revision` (after the first list and every relist). */
  | { type: 'SYNCED'; revision: number };

export type InformerHandler<T extends KubeObject> = (event: InformerEvent<T>) => void | Promise<void>;

export interface Informer<T extends KubeObject> {
  /** Current objects by "namespace/name" ("name" for cluster-scoped kinds). Do not mutate. */
  readonly cache: ReadonlyMap<string, T>;
  /** The revision the cache reflects. */
  readonly revision: number;
  /** Resolves after the first list has been handed to the handler; rejects if that list failed. */
  readonly synced: Promise<void>;
  /** Resolves when stopped; rejects when the watch failed for good (or the handler threw). */
  readonly done: Promise<void>;
  stop(): void;
}

export type InformerOptions = Omit<WatchOptions, 'resourceVersion' | 'signal' | 'allowBookmarks'>;

/** What the informer needs from the client (kept narrow so it is easy to test). */
export interface InformerSource<T extends KubeObject> {
  listAll(kind: string, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string }): Promise<{ items: T[]; revision: number }>;
  watch(kind: string, opts: WatchOptions): AsyncIterable<{ type: string; object?: T; revision: number }>;
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name;
}

export function startInformer<T extends KubeObject>(source: InformerSource<T>, kind: string, opts: InformerOptions, handler: InformerHandler<T>): Informer<T> {
  const cache = new Map<string, T>();
  const abort = new AbortController();
  let revision = 0;
  let markSynced: () => void = () => {};
  let failSynced: (err: unknown) => void = () => {};
  const synced = new Promise<void>((resolve, reject) => { markSynced = resolve; failSynced = reject; });
  synced.catch(() => {}); // the same failure is reported through `done`

  async function relist(): Promise<void> {
    const { items, revision: listed } = await source.listAll(kind, opts);
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = cache.get(key);
      cache.set(key, obj);
      if (!old) await handler({ type: 'ADDED', object: obj, revision: listed });
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) await handler({ type: 'MODIFIED', object: obj, revision: listed });
    }
    for (const [key, old] of [...cache]) {
      if (seen.has(key)) continue;
      cache.delete(key);
      await handler({ type: 'DELETED', object: old, revision: listed });
    }
    revision = listed;
    await handler({ type: 'SYNCED', revision });
  }

  async function run(): Promise<void> {
    for (;;) {
      await relist();
      markSynced();
      try {
        for await (const ev of source.watch(kind, { ...opts, resourceVersion: revision, signal: abort.signal })) {
          revision = ev.revision;
          if (!ev.object || (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED')) continue;
          const key = objectKey(ev.object);
          if (ev.type === 'DELETED') cache.delete(key);
          else cache.set(key, ev.object);
          await handler({ type: ev.type, object: ev.object, revision: ev.revision });
        }
        return; // stopped
      } catch (err) {
        if (abort.signal.aborted) return;
        // History we needed is gone: list again and hand over the difference.
        if (err instanceof CompactedError) continue;
        throw err;
      }
    }
  }

  const done = run();
  // Never leave `synced` hanging: it rejects when the first list fails.
  done.then(markSynced, failSynced);
  return {
    cache,
    get revision() { return revision; },
    synced,
    done,
    stop: () => abort.abort(),
  };
}
