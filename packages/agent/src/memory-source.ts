/**
 * An in-memory cluster for the agent: a source whose objects tests set and
 * remove, and a sink that records what the agent reported and writes pod
 * statuses back into the source (as the store would). Used by the unit and
 * end-to-end tests and by the pod benchmark until the daemon exists.
 */
import type { KubeObject, ListOptions, NodeStatus, ObjectKey, Pod } from '@shoal/api';
import type { AgentSink, AgentSource, PodStatusUpdate } from './source.js';

function keyOf(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export class MemoryAgentSource implements AgentSource {
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Set<() => void>();
  revision = 0;

  get<T extends KubeObject = KubeObject>(key: ObjectKey): T | undefined {
    return this.objects.get(keyOf(key.kind, key.namespace, key.name)) as T | undefined;
  }

  list<T extends KubeObject = KubeObject>(kind: string, opts?: ListOptions): T[] {
    return [...this.objects.values()].filter((o) => o.kind === kind && (opts?.namespace === undefined || (o.metadata.namespace ?? '') === opts.namespace)) as T[];
  }

  /** Creates or replaces an object (stored as a copy) and notifies. */
  put(obj: KubeObject): void {
    this.objects.set(keyOf(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name), structuredClone(obj));
    this.changed();
  }

  remove(kind: string, namespace: string, name: string): void {
    this.objects.delete(keyOf(kind, namespace, name));
    this.changed();
  }

  /** Marks a pod as being deleted, as a graceful delete would. */
  markDeleted(namespace: string, name: string, at: string, graceSeconds?: number): void {
    const p = this.get<Pod>({ kind: 'Pod', namespace, name });
    if (!p) return;
    const copy = structuredClone(p);
    copy.metadata.deletionTimestamp = at;
    if (graceSeconds !== undefined) copy.metadata.deletionGracePeriodSeconds = graceSeconds;
    this.put(copy);
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void {
    this.revision++;
    for (const l of [...this.listeners]) l();
  }
}

export class MemoryAgentSink implements AgentSink {
  readonly batches: PodStatusUpdate[][] = [];
  readonly deleted: { namespace: string; name: string; uid: string }[] = [];
  readonly nodeStatuses: NodeStatus[] = [];
  private readonly waiters = new Set<() => void>();

  /** When given, statuses are written back into the source (as the store applies them). */
  constructor(private readonly source?: MemoryAgentSource) {}

  async updatePodStatus(batch: PodStatusUpdate[]): Promise<void> {
    this.batches.push(structuredClone(batch));
    if (this.source) {
      for (const u of batch) {
        const p = this.source.get<Pod>({ kind: 'Pod', namespace: u.namespace, name: u.name });
        if (p && p.metadata.uid === u.uid) this.source.put({ ...p, status: u.status });
      }
    }
    this.notify();
  }

  async deletePod(namespace: string, name: string, uid: string): Promise<void> {
    this.deleted.push({ namespace, name, uid });
    const p = this.source?.get<Pod>({ kind: 'Pod', namespace, name });
    if (p && p.metadata.uid === uid) this.source?.remove('Pod', namespace, name);
    this.notify();
  }

  async updateNodeStatus(status: NodeStatus): Promise<void> {
    this.nodeStatuses.push(structuredClone(status));
    this.notify();
  }

  /** The latest status reported for a pod uid. */
  latest(uid: string): PodStatusUpdate | undefined {
    for (let i = this.batches.length - 1; i >= 0; i--) {
      const u = this.batches[i]?.find((x) => x.uid === uid);
      if (u) return u;
    }
    return undefined;
  }

  /** Resolves once `pred` holds (checked after every report), or rejects after `timeoutMs`. */
  waitFor<T>(what: string, pred: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v === undefined || v === false) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
