/** Operations on a running local cluster through its API: status, waiting, applying examples. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { parseManifests, type Node } from '@shoal/api';
import { ShoalClient } from '@shoal/client';
import type { LocalCluster } from './local-cluster.js';
import { sleep } from './local-cluster.js';

/** The leader's name once one is elected and reachable through any node. */
export async function waitForLeader(cluster: LocalCluster, timeoutMs: number): Promise<string> {
  const client = new ShoalClient({ servers: cluster.apiAddresses(), timeoutMs: 2_000 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const l = await client.leader();
        if (l.leader_id) return l.leader_id;
      } catch {
        // no leader yet
      }
      if (Date.now() > deadline) throw new Error(`no leader elected within ${timeoutMs} ms; see ${cluster.logDir}`);
      await sleep(200);
    }
  } finally {
    client.close();
  }
}

/** Wait until `count` Node objects report Ready, so the first pods spread over every node. */
export async function waitForNodes(cluster: LocalCluster, count: number, timeoutMs: number): Promise<void> {
  const client = new ShoalClient({ servers: cluster.apiAddresses(), timeoutMs: 2_000 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const { items } = await client.list<Node>('Node');
        const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        if (ready.length >= count) return;
      } catch {
        // not ready to answer yet
      }
      if (Date.now() > deadline) throw new Error(`fewer than ${count} nodes became Ready within ${timeoutMs} ms; see ${cluster.logDir}`);
      await sleep(200);
    }
  } finally {
    client.close();
  }
}

export async function applyExamples(cluster: LocalCluster, dir: string): Promise<void> {
  const client = new ShoalClient({ servers: cluster.apiAddresses() });
  try {
    for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
      for (const obj of parseManifests(readFileSync(join(dir, f), 'utf8'), { source: f })) {
        const r = await client.apply(obj);
        console.log(`[cluster] ${obj.kind.toLowerCase()}/${obj.metadata.name} ${r.result} (${f})`);
      }
    }
  } finally {
    client.close();
  }
}

/** One line per node: process, API, Raft role. */
export async function clusterStatus(cluster: LocalCluster): Promise<string> {
  const rows = [['NODE', 'PID', 'ADDRESS', 'RAFT', 'TERM', 'APPLIED', 'LEADER']];
  for (const n of cluster.nodes) {
    const pid = cluster.pid(n.name);
    let raft = ['-', '-', '-', '-'];
    if (pid) {
      const c = new ShoalClient({ servers: [cluster.apiAddress(n.name)], timeoutMs: 1_000 });
      try {
        const s = await c.raftStatus();
        raft = [s.state, String(s.term), String(s.applied_index), s.leader_id || '-'];
      } catch (err) {
        raft = [`unreachable (${(err as Error).message.split('\n')[0]!.slice(0, 40)})`, '-', '-', '-'];
      } finally {
        c.close();
      }
    }
    rows.push([n.name, pid ? String(pid) : 'stopped', `${n.address}:${n.apiPort}`, ...raft]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/**
 * For each node, lists what its agent made (objects labelled with its owner
 * node) and removes each; 0 when no engine answers. Returns how many went.
 */
async function removeOwned(nodes: string[], list: (docker: Docker, label: string) => Promise<string[]>, remove: (docker: Docker, id: string) => Promise<unknown>): Promise<number> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch {
    return 0;
  }
  let removed = 0;
  for (const node of nodes) {
    for (const id of await list(docker, `io.shoal.owner-node=${node}`)) {
      await remove(docker, id).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}

/** Removes the containers (and sandboxes) the given nodes' agents made. */
export function removeNodeContainers(nodes: string[]): Promise<number> {
  return removeOwned(
    nodes,
    async (docker, label) => (await docker.listContainers({ all: true, filters: { label: [label] } })).map((c) => c.Id),
    (docker, id) => docker.getContainer(id).remove({ force: true, v: true }),
  );
}

/** Removes the named volumes (StatefulSet claims, emptyDirs) the given nodes' agents made. */
export function removeNodeVolumes(nodes: string[]): Promise<number> {
  return removeOwned(
    nodes,
    async (docker, label) => ((await docker.listVolumes({ filters: { label: [label] } })).Volumes ?? []).map((v) => v.Name),
    (docker, name) => docker.getVolume(name).remove(),
  );
}
