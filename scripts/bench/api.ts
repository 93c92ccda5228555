/**
 * npm run bench -- api [--clients C] [--duration S] [--objects N] [--watchers W] [--json]
 *
 * On a private three-node cluster (real daemons):
 *  - write latency: C clients create ConfigMaps through every node for S
 *    seconds; writes/s and p50/p99/max latency;
 *  - list latency: with at least N objects stored, a linearizable List of all
 *    of them in pages (and a stale one), 10 times each;
 *  - watch fan-out: W watchers spread over the nodes, 500 writes; the time
 *    from each write's acknowledgement until every watcher has seen it.
 */
import { setMaxListeners } from 'node:events';
import { ShoalClient } from '@shoal/client';
import { PrivateCluster } from '../lib/private-cluster.js';

function flag(argv: string[], name: string, def: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const fmt = (x: number) => x.toFixed(2);

export default async function api(argv: string[]): Promise<void> {
  const clients = flag(argv, '--clients', 32);
  const durationS = flag(argv, '--duration', 10);
  const objects = flag(argv, '--objects', 10_000);
  const watchers = flag(argv, '--watchers', 100);
  const json = argv.includes('--json');
  const pc = new PrivateCluster({ net: 241 });
  try {
    process.stderr.write('[api] starting a private three-node cluster\n');
    await pc.start();
    const conns = pc.names.map((n) => new ShoalClient({ servers: [pc.cluster.apiAddress(n)], timeoutMs: 10_000 }));
    const value = 'x'.repeat(256);

    // ---- writes
    process.stderr.write(`[api] writes: ${clients} clients for ${durationS} s\n`);
    const lat: number[] = [];
    let seq = 0;
    const until = performance.now() + durationS * 1000;
    await Promise.all(Array.from({ length: clients }, async (_, i) => {
      const c = conns[i % conns.length]!;
      while (performance.now() < until) {
        const t0 = performance.now();
        await c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${seq++}`, namespace: 'default' }, data: { v: value } });
        lat.push(performance.now() - t0);
      }
    }));
    const writes = { perSecond: Math.round(lat.length / durationS), p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat) };
    console.log(`writes: ${writes.perSecond}/s over ${clients} clients, latency p50 ${fmt(writes.p50)} ms, p99 ${fmt(writes.p99)} ms, max ${fmt(writes.max)} ms`);

    // ---- list with N objects
    const have = lat.length;
    process.stderr.write(`[api] filling to ${objects} objects\n`);
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async (_, i) => {
      const c = conns[i % conns.length]!;
      for (;;) {
        const k = next++;
        if (have + k >= objects) return;
        await c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `f-${k}`, namespace: 'default' }, data: { v: value } });
      }
    }));
    const listLat = async (stale: boolean) => {
      const xs: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        // In pages, as the CLI reads: one unpaged response of tens of thousands of objects is over the 8 MiB message limit.
        const r = await conns[i % conns.length]!.listAll('ConfigMap', { namespace: 'default', stale });
        xs.push(performance.now() - t0);
        if (r.items.length < objects) throw new Error(`list returned ${r.items.length} objects, expected ${objects}`);
      }
      return { p50: pct(xs, 50), p99: pct(xs, 99) };
    };
    const list = await listLat(false);
    const listStale = await listLat(true);
    console.log(`list of ${objects} objects: linearizable p50 ${fmt(list.p50)} ms, p99 ${fmt(list.p99)} ms; stale p50 ${fmt(listStale.p50)} ms, p99 ${fmt(listStale.p99)} ms`);

    // ---- watch fan-out
    process.stderr.write(`[api] watch fan-out: ${watchers} watchers\n`);
    const abort = new AbortController();
    setMaxListeners(watchers + 10, abort.signal); // one listener per watcher
    const acked = new Map<string, number>();
    const seen = new Map<string, number>();
    const delays: number[] = [];
    const rev = (await conns[0]!.list('Secret', { namespace: 'default' })).revision;
    const writesN = 500;
    const watching = Array.from({ length: watchers }, async (_, i) => {
      const c = new ShoalClient({ servers: [pc.cluster.apiAddress(pc.names[i % pc.names.length]!)] });
      try {
        for await (const e of c.watch('Secret', { namespace: 'default', resourceVersion: rev, signal: abort.signal })) {
          if (e.type !== 'ADDED') continue;
          const name = e.object!.metadata.name;
          const n = (seen.get(name) ?? 0) + 1;
          seen.set(name, n);
          if (n === watchers && acked.has(name)) delays.push(performance.now() - acked.get(name)!);
        }
      } catch {
        // aborted
      } finally {
        c.close();
      }
    });
    await new Promise((r) => setTimeout(r, 1_000));
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let k = w; k < writesN; k += 8) {
        const name = `s-${k}`;
        await conns[k % conns.length]!.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, stringData: { k: String(k) } });
        acked.set(name, performance.now());
      }
    }));
    const deadline = performance.now() + 60_000;
    while ([...seen.values()].filter((n) => n === watchers).length < writesN && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const allSeenMs = performance.now() - t0;
    abort.abort();
    await Promise.all(watching);
    const complete = [...seen.values()].filter((n) => n === watchers).length;
    const fanout = { watchers, writes: writesN, complete, eventsPerSecond: Math.round((complete * watchers) / (allSeenMs / 1000)), p50: pct(delays, 50), p99: pct(delays, 99) };
    console.log(`watch fan-out: ${watchers} watchers, ${writesN} writes, ${complete} seen by all; ${fanout.eventsPerSecond} events/s delivered; ack-to-all-watchers p50 ${fmt(fanout.p50)} ms, p99 ${fmt(fanout.p99)} ms`);
    for (const c of conns) c.close();
    if (json) console.log(JSON.stringify({ writes, list, listStale, fanout }));
  } finally {
    await pc.close();
  }
}
