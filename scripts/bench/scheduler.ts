/**
 * Scheduler throughput: 1,000 fake nodes and 10,000 pods, placed in batches
 * the way the leader does it: schedule a batch against the current view,
 * re-check every binding against the latest state (the plan applier's
 * optimistic check), then apply the bindings to the view.
 *
 *   npm run bench -- scheduler
 *   node --conditions=@shoal/source --import tsx scripts/bench/scheduler.ts [--nodes N] [--pods N] [--batch N]
 *
 * Not yet included: the Raft log and the @shoal/state apply of bind commands.
 */
import type { Node, Pod } from '@shoal/api';
import { Scheduler, schedule } from '@shoal/scheduler';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const NODES = arg('nodes', 1000);
const PODS = arg('pods', 10000);
const BATCH = arg('batch', 500);

function makeNode(i: number): Node {
  const name = `node-${String(i).padStart(4, '0')}`;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `n-${i}`, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: {},
    status: { allocatable: { cpu: '16', memory: '64Gi', pods: 110 }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function makePod(i: number): Pod {
  const owner = `rs-${i % 100}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', uid: `p-${i}`, labels: { app: owner }, creationTimestamp: '2026-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: `${100 + (i % 5) * 100}m`, memory: `${128 * (1 + (i % 4))}Mi` } } }] },
  };
}

export function runSchedulerBench(): { placements: number; failures: number; seconds: number; perSecond: number } {
  const nodes = Array.from({ length: NODES }, (_, i) => makeNode(i));
  const pending = Array.from({ length: PODS }, (_, i) => makePod(i));
  const bound: Pod[] = [];
  let placements = 0;
  let failures = 0;
  const start = performance.now();
  for (let off = 0; off < pending.length; off += BATCH) {
    const batch = pending.slice(off, off + BATCH);
    const view = { nodes, pods: bound };
    const r = schedule(view, batch);
    failures += r.failures.length;
    // The leader's commit-time re-check, against the latest state, counting earlier bindings of the batch.
    const check = new Scheduler(view);
    const byUid = new Map(batch.map((p) => [p.metadata.uid, p]));
    for (const b of r.bindings) {
      const pod = byUid.get(b.uid)!;
      if (check.check(pod, b.nodeName, true).length) { failures++; continue; }
      bound.push({ ...pod, spec: { ...pod.spec!, nodeName: b.nodeName } });
      placements++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { placements, failures, seconds, perSecond: placements / seconds };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isMain) {
  const r = runSchedulerBench();
  process.stdout.write(`scheduler: ${NODES} nodes, ${PODS} pods, batches of ${BATCH}: ${r.placements} placed, ${r.failures} failed in ${r.seconds.toFixed(2)} s = ${Math.round(r.perSecond)} placements/s (goal >= 3750/s; pure scheduler + re-check, no Raft/state yet)\n`);
}
