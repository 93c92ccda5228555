/**
 * Service address allocation inside apply: cluster IPs from the configured
 * CIDR and node ports from the configured range, chosen deterministically so
 * every replica picks the same. Explicit user choices are kept when free.
 */
import type { ObjectKey, ServicePort, ServiceSpec } from '@shoal/api';
import { invalid } from './apply-common.js';
import type { Writer } from './writer.js';

/** Fills clusterIP/clusterIPs and nodePorts of a new service; claims what it uses. */
export function allocateForCreate(w: Writer, key: ObjectKey, spec: ServiceSpec): void {
  const claimed: { ip?: string; ports: number[] } = { ports: [] };
  const cursors = [w.clusterIPs.range.cursor, w.nodePorts.cursor] as const;
  try {
    if (spec.clusterIP !== 'None') {
      if (spec.clusterIP) {
        const why = w.clusterIPs.claim(spec.clusterIP);
        if (why) throw invalid(key, 'spec.clusterIP', `Invalid value: ${JSON.stringify(spec.clusterIP)}: ${why}`);
      } else {
        const ip = w.clusterIPs.allocate();
        if (!ip) throw invalid(key, 'spec.clusterIP', `Internal error: no free address left in ${w.config.cidr.text}`);
        spec.clusterIP = ip;
      }
      claimed.ip = spec.clusterIP;
    }
    spec.clusterIPs = [spec.clusterIP as string];
    if (spec.type === 'NodePort') allocatePorts(w, key, spec.ports ?? [], claimed.ports, new Set());
  } catch (e) {
    // Nothing was committed: give back what this attempt took.
    if (claimed.ip) w.clusterIPs.release(claimed.ip);
    for (const p of claimed.ports) w.nodePorts.release(p);
    [w.clusterIPs.range.cursor, w.nodePorts.cursor] = cursors;
    throw e;
  }
}

function allocatePorts(w: Writer, key: ObjectKey, ports: ServicePort[], claimed: number[], kept: Set<number>): void {
  ports.forEach((p, i) => {
    if (p.nodePort) {
      if (kept.has(p.nodePort)) return;
      if (!w.nodePorts.claim(p.nodePort)) {
        const [lo, hi] = w.config.nodePortRange;
        const why = w.nodePorts.inRange(p.nodePort) ? 'provided port is already allocated' : `provided port is not in the valid range ${lo}-${hi}`;
        throw invalid(key, `spec.ports[${i}].nodePort`, `Invalid value: ${p.nodePort}: ${why}`);
      }
      claimed.push(p.nodePort);
      return;
    }
    const n = w.nodePorts.allocate();
    if (n === undefined) throw invalid(key, `spec.ports[${i}].nodePort`, 'Internal error: no free node port left');
    claimed.push(n);
    p.nodePort = n;
  });
}

/**
 * An update keeps the allocated cluster IP (it is immutable) and the node
 * ports of ports that stay; ports that go, or a switch away from NodePort,
 * release theirs.
 */
export function reconcileForUpdate(w: Writer, key: ObjectKey, cur: ServiceSpec, next: ServiceSpec): void {
  if (next.clusterIP === undefined || next.clusterIP === '') next.clusterIP = cur.clusterIP;
  if (next.clusterIP !== cur.clusterIP) throw invalid(key, 'spec.clusterIP', `Invalid value: ${JSON.stringify(next.clusterIP)}: field is immutable`);
  next.clusterIPs = cur.clusterIPs ?? (cur.clusterIP ? [cur.clusterIP] : undefined);
  const old = new Map((cur.ports ?? []).filter((p) => p.nodePort).map((p) => [`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort as number]));
  const ports = next.ports ?? [];
  const keep = new Set<number>();
  if (next.type === 'NodePort') {
    for (const p of ports) {
      const prev = old.get(`${p.port}/${p.protocol ?? 'TCP'}`);
      if (!p.nodePort && prev !== undefined) p.nodePort = prev;
      if (p.nodePort && [...old.values()].includes(p.nodePort)) keep.add(p.nodePort);
    }
  }
  const claimed: number[] = [];
  if (next.type === 'NodePort') {
    const cursor = w.nodePorts.cursor;
    try {
      allocatePorts(w, key, ports, claimed, keep);
    } catch (e) {
      for (const p of claimed) w.nodePorts.release(p);
      w.nodePorts.cursor = cursor;
      throw e;
    }
  }
  for (const p of old.values()) if (!keep.has(p)) w.nodePorts.release(p);
}
