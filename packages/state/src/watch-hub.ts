/**
 * Change history and watchers. Every change has its own revision, one more
 * than the previous, so history is a ring indexed by revision; a watcher
 * resumes by replaying what is retained after its revision and then receives
 * new changes as they are committed, in order, with no gaps.
 */
import type { LabelSelector } from '@shoal/api';
import { matchesFieldSelector, matchesSelector, type FieldSelector } from '@shoal/api';
import { CompactedError, WatchRequestError } from './errors.js';
import type { StoredObject } from './object-table.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A committed change; `prev` is the object before a MODIFIED change. */
export interface Change {
  type: ChangeType;
  object: StoredObject;
  prev?: StoredObject;
  revision: number;
}

export type WatchEvent =
  /** `prev`: the object before a MODIFIED change (in-process watchers use it; the API does not send it). */
  | { type: ChangeType; object: StoredObject; revision: number; prev?: StoredObject }
  /** The store is at `revision`; nothing matching the watch changed since the last event. */
  | { type: 'BOOKMARK'; revision: number }
  /** The watch is over (store restored from a snapshot): list again. */
  | { type: 'ERROR'; error: CompactedError; revision: number };

export interface WatchOptions {
  kind?: string;
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  /**
   * Deliver changes after this revision (a list's revision, or the last event
   * seen). Default: the current revision (only new changes). A revision ahead
   * of the store waits for the store to catch up.
   */
  fromRevision?: number;
}

interface Watcher {
  opts: WatchOptions;
  onEvent: (e: WatchEvent) => void;
  /** The last revision delivered or skipped. */
  seen: number;
}

export class WatchHub {
  private readonly ring: (Change | undefined)[];
  private start = 0;
  private count = 0;
  /** Changes after this revision are all retained. */
  private floor = 0;
  private readonly watchers = new Set<Watcher>();

  constructor(readonly limit: number, private readonly onWatcherError: (e: unknown) => void) {
    this.ring = new Array<Change | undefined>(limit);
  }

  /** The oldest revision a watch may start from. */
  get oldest(): number {
    return this.floor;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  publish(c: Change): void {
    if (this.count === this.limit) {
      this.ring[this.start] = undefined;
      this.start = (this.start + 1) % this.limit;
      this.count--;
      this.floor++;
    }
    this.ring[(this.start + this.count) % this.limit] = c;
    this.count++;
    for (const w of [...this.watchers]) this.deliver(w, c);
  }

  /** Starts a watch; replays retained history synchronously, then follows new changes. */
  watch(opts: WatchOptions, onEvent: (e: WatchEvent) => void, current: number): () => void {
    const from = opts.fromRevision ?? current;
    if (!Number.isSafeInteger(from) || from < 0) throw new WatchRequestError(`fromRevision must be a non-negative integer, got ${from}`);
    if (from < this.floor) throw new CompactedError(from, this.floor);
    const w: Watcher = { opts, onEvent, seen: from };
    this.watchers.add(w);
    for (let i = 0; i < this.count && this.watchers.has(w); i++) {
      const c = this.ring[(this.start + i) % this.limit] as Change;
      if (c.revision > from) this.deliver(w, c);
    }
    return () => {
      this.watchers.delete(w);
    };
  }

  /** Sends every watcher a BOOKMARK with the current revision (the daemon calls this on a timer). */
  bookmark(revision: number): void {
    for (const w of [...this.watchers]) this.send(w, { type: 'BOOKMARK', revision });
  }

  /** Drops history and ends every watch with an ERROR telling it to relist. */
  reset(revision: number, reason: string): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.floor = revision;
    const error = new CompactedError(revision, revision, reason);
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      this.send(w, { type: 'ERROR', error, revision });
    }
  }

  private deliver(w: Watcher, c: Change): void {
    if (c.revision <= w.seen) return;
    w.seen = c.revision;
    const nowMatches = matches(w.opts, c.object);
    if (c.type !== 'MODIFIED') {
      if (nowMatches) this.send(w, { type: c.type, object: c.object, revision: c.revision });
      return;
    }
    // A change can move an object into or out of a filtered watch: report it as ADDED or DELETED then.
    const wasMatching = c.prev !== undefined && matches(w.opts, c.prev);
    if (nowMatches) this.send(w, wasMatching ? { type: 'MODIFIED', object: c.object, prev: c.prev, revision: c.revision } : { type: 'ADDED', object: c.object, revision: c.revision });
    else if (wasMatching) this.send(w, { type: 'DELETED', object: c.object, revision: c.revision });
  }

  private send(w: Watcher, e: WatchEvent): void {
    try {
      w.onEvent(e);
    } catch (err) {
      // A failing consumer must not stop apply: close its watch and report.
      this.watchers.delete(w);
      this.onWatcherError(err);
    }
  }
}

export function matches(opts: Pick<WatchOptions, 'kind' | 'namespace' | 'labelSelector' | 'fieldSelector'>, o: StoredObject): boolean {
  if (opts.kind !== undefined && o.kind !== opts.kind) return false;
  if (opts.namespace !== undefined && (o.metadata.namespace ?? '') !== opts.namespace) return false;
  if (opts.labelSelector && !matchesSelector(opts.labelSelector, o.metadata.labels)) return false;
  if (opts.fieldSelector && !matchesFieldSelector(opts.fieldSelector, o)) return false;
  return true;
}
