/**
 * A versioned key-value register on top of ConfigMaps, for linearizability
 * histories: each key is a ConfigMap whose data holds the value and a
 * per-key sequence number (the model's version). Writes are compare-and-swap
 * on resourceVersion, so every operation is atomic in the store.
 */
import type { ConfigMap } from '@shoal/api';
import { ConflictError, NotFoundError, AlreadyExistsError, type ShoalClient } from '@shoal/client';
import type { Operation } from '@shoal/lincheck';

export type Clock = () => number;
/** Nanoseconds on one clock shared by every client of the run. */
export const nowNs: Clock = () => Number(process.hrtime.bigint());

interface Current {
  value?: string;
  seq: number;
  resourceVersion?: string;
}

/** Errors that are definite answers from the store, not lost requests. */
function definite(err: unknown): boolean {
  return err instanceof ConflictError || err instanceof NotFoundError || err instanceof AlreadyExistsError;
}

export class KvClient {
  constructor(
    readonly id: string,
    private readonly client: ShoalClient,
    private readonly record: (op: Operation) => void,
    private readonly prefix = 'kv-',
  ) {}

  private name(key: string): string {
    return `${this.prefix}${key}`;
  }

  private async read(key: string): Promise<Current> {
    try {
      const cm = await this.client.get<ConfigMap>('ConfigMap', this.name(key));
      return { value: cm.data?.['value'], seq: Number(cm.data?.['seq'] ?? 0), resourceVersion: cm.metadata.resourceVersion };
    } catch (err) {
      if (err instanceof NotFoundError) return { seq: 0 };
      throw err;
    }
  }

  /** Write `value` if the key's version is `expected`; true when it swapped. Throws on lost requests. */
  private async swap(key: string, cur: Current, value: string): Promise<boolean> {
    const data = { value, seq: String(cur.seq + 1) };
    try {
      if (!cur.resourceVersion) {
        await this.client.create<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: this.name(key), namespace: 'default' }, data });
      } else {
        await this.client.update<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: this.name(key), namespace: 'default', resourceVersion: cur.resourceVersion }, data });
      }
      return true;
    } catch (err) {
      if (err instanceof ConflictError || err instanceof AlreadyExistsError) return false;
      throw err;
    }
  }

  async get(key: string): Promise<void> {
    const start = nowNs();
    try {
      const c = await this.read(key);
      this.record({ client: this.id, op: 'get', key, start, end: nowNs(), outcome: 'ok', result: { ...(c.value !== undefined ? { value: c.value } : {}), version: c.seq } });
    } catch {
      // A read that got no answer changed nothing: record it as failed.
      this.record({ client: this.id, op: 'get', key, start, end: nowNs(), outcome: 'failed' });
    }
  }

  async cas(key: string, expected: number, value: string): Promise<void> {
    const start = nowNs();
    const base = { client: this.id, op: 'cas' as const, key, value, expectedVersion: expected, start };
    let cur: Current;
    try {
      cur = await this.read(key);
    } catch {
      this.record({ ...base, end: nowNs(), outcome: 'failed' });
      return;
    }
    if (cur.seq !== expected) {
      this.record({ ...base, end: nowNs(), outcome: 'ok', result: { ok: false } });
      return;
    }
    try {
      const ok = await this.swap(key, cur, value);
      this.record({ ...base, end: nowNs(), outcome: 'ok', result: ok ? { ok: true, version: expected + 1 } : { ok: false } });
    } catch (err) {
      this.record({ ...base, end: nowNs(), outcome: definite(err) ? 'failed' : 'unknown' });
    }
  }

  /** Unconditional write: compare-and-swap until it lands. */
  async put(key: string, value: string, attempts = 10): Promise<void> {
    const start = nowNs();
    const base = { client: this.id, op: 'put' as const, key, value, start };
    for (let i = 0; i < attempts; i++) {
      let cur: Current;
      try {
        cur = await this.read(key);
      } catch {
        continue;
      }
      try {
        if (await this.swap(key, cur, value)) {
          this.record({ ...base, end: nowNs(), outcome: 'ok', result: { version: cur.seq + 1 } });
          return;
        }
      } catch (err) {
        // The write may have landed: its outcome is unknown, and retrying could apply it twice.
        if (!definite(err)) {
          this.record({ ...base, end: nowNs(), outcome: 'unknown' });
          return;
        }
      }
    }
    this.record({ ...base, end: nowNs(), outcome: 'failed' });
  }
}
