/**
 * The load generator and latency statistics shared by both sides of the
 * Raft benchmark: C closed-loop clients, each writing 256-byte values to
 * random keys through one of the cluster's members (round robin).
 */
import { randomBytes } from 'node:crypto';
import type { KvClient } from './kv-clients.js';

export interface LoadResult {
  writes: number;
  errors: number;
  seconds: number;
  writesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p50/p99 of the writes sent through each member (connection i goes to member i % members). */
  byMember: Array<{ writes: number; p50Ms: number; p99Ms: number }>;
  /**
   * Each second of the measured window (by completion time): writes, the
   * slowest, and how many took longer than the run's p99. Shows whether the
   * tail is spread out or comes from a few stalls (start-up, snapshots, GC).
   */
  timeline: Array<{ second: number; writes: number; maxMs: number; overP99: number; overP99ByMember: number[] }>;
  /** Wall-clock time (ms since the epoch) of the measured window's start, to match the timeline with node logs. */
  measuredFromMs: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * `clients` are connections: worker w uses clients[w % clients.length]. The
 * caller opens several per member (as etcd's own benchmark does with
 * --conns) so one HTTP/2 connection does not carry every request.
 */
export async function runLoad(clients: KvClient[], concurrency: number, seconds: number, warmupSeconds = 2, valueBytes = 256, members = 3): Promise<LoadResult> {
  const value = randomBytes(valueBytes);
  const latencies: number[] = [];
  /** [completion time after the warm-up, latency, member] of every recorded write. */
  const completed: [number, number, number][] = [];
  const perMember: number[][] = Array.from({ length: members }, () => []);
  let errors = 0;
  let recording = false;
  const start = performance.now();
  const warmEnd = start + warmupSeconds * 1000;
  const measuredFromMs = Date.now() + warmupSeconds * 1000;
  const end = warmEnd + seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    const client = clients[w % clients.length]!;
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const key = Buffer.from(`key-${Math.floor(Math.random() * 100_000)}`);
      try {
        await client.put(key, value, 5000);
        const t1 = performance.now();
        if (t0 >= warmEnd && t1 <= end) {
          latencies.push(t1 - t0);
          const member = (w % clients.length) % members;
          completed.push([t1 - warmEnd, t1 - t0, member]);
          perMember[member]!.push(t1 - t0);
        }
      } catch {
        if (recording) errors++;
      }
      recording = performance.now() >= warmEnd;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const sorted = Float64Array.from(latencies).sort();
  const p99 = percentile(sorted, 99);
  const timeline = Array.from({ length: Math.ceil(seconds) }, (_, second) => ({ second, writes: 0, maxMs: 0, overP99: 0, overP99ByMember: new Array<number>(members).fill(0) }));
  for (const [at, ms, member] of completed) {
    const w = timeline[Math.min(timeline.length - 1, Math.floor(at / 1000))]!;
    w.writes++;
    w.maxMs = Math.max(w.maxMs, Math.round(ms));
    if (ms > p99) {
      w.overP99++;
      w.overP99ByMember[member]!++;
    }
  }
  return {
    writes: sorted.length,
    errors,
    seconds,
    writesPerSec: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: p99,
    maxMs: sorted[sorted.length - 1] ?? NaN,
    byMember: perMember.map((l) => {
      const m = Float64Array.from(l).sort();
      return { writes: m.length, p50Ms: percentile(m, 50), p99Ms: percentile(m, 99) };
    }),
    timeline,
    measuredFromMs,
  };
}

/**
 * Time from `kill()` until one write succeeds through a surviving member:
 * attempts go to every survivor at once, each with a short deadline, and
 * are retried immediately when they fail.
 */
export async function timeFailover(survivors: KvClient[], kill: () => void, attemptMs = 100, giveUpMs = 15_000): Promise<number> {
  const value = randomBytes(256);
  const t0 = performance.now();
  kill();
  let done = false;
  const attempt = async (c: KvClient, w: number): Promise<number> => {
    let n = 0;
    while (!done) {
      if (performance.now() - t0 > giveUpMs) throw new Error(`no write succeeded within ${giveUpMs} ms of the kill`);
      try {
        await c.put(Buffer.from(`failover-${w}-${n++}`), value, attemptMs);
        done = true;
        return performance.now() - t0;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    return Infinity;
  };
  const times = await Promise.allSettled(survivors.map((c, w) => attempt(c, w)));
  const ok = times.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (ok.length === 0) throw (times[0] as PromiseRejectedResult).reason;
  return Math.min(...ok);
}
