/**
 * Measures in-process apply throughput: simple ConfigMap creates, then pod
 * creates, binds and status updates. Run: npx tsx --conditions=@shoal/source packages/state/bench/apply-throughput.ts
 */
import { ObjectStore, type Command } from '../src/index.js';

/** Reports wall-clock and CPU-time rates (the machine is shared: CPU time is the steadier figure). */
function rate(label: string, n: number, run: (i: number) => void): void {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) run(i);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  process.stdout.write(`${label}: ${n} in ${s.toFixed(2)}s wall = ${Math.round(n / s)}/s; ${cpu.toFixed(2)}s cpu = ${Math.round(n / cpu)}/s\n`);
}

const N = Number(process.argv[2] ?? 100_000);
const ts = '2026-01-01T00:00:00Z';
const store = new ObjectStore({ historyLimit: 10_000 });
rate('create ConfigMap', N, (i) => {
  const r = store.apply({ type: 'create', uid: `u${i}`, timestamp: ts, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: 'v' } } as never });
  if (!r.ok) throw r.error;
});
const P = Math.min(N, 50_000);
rate('create Pod', P, (i) => {
  const r = store.apply({ type: 'create', uid: `p${i}`, timestamp: ts, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'shoal/busybox:latest' }] } } });
  if (!r.ok) throw r.error;
});
const binds: Command = { type: 'batch', commands: [] };
for (let i = 0; i < P; i++) binds.commands.push({ type: 'bind', key: { kind: 'Pod', namespace: 'default', name: `pod-${i}` }, nodeName: `n${i % 10}` });
rate('bind (one batch)', 1, () => store.apply(binds));
rate('updateStatus Pod', P, (i) => {
  const r = store.apply({ type: 'updateStatus', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}` }, status: { phase: 'Running', podIP: '10.0.0.1' } } });
  if (!r.ok) throw r.error;
});
rate('list pods on node (index)', 100, () => store.list('Pod', { fieldSelector: [{ field: 'spec.nodeName', operator: '=', value: 'n3' }] }));
rate('snapshot', 1, () => store.snapshot());
