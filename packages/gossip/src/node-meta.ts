/**
 * Shoal's typed view of a member's metadata, carried on the wire as flat
 * string pairs (labels and taints as JSON) so the gossip core stays generic.
 */
import type { Meta } from './core/types.js';

export type RaftRole = 'voter' | 'learner' | 'none';

export interface NodeTaint { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }

export interface NodeMeta {
  name: string;
  /** host:port of the peer gRPC service (Raft, forwarding). */
  peerAddress: string;
  /** host:port of the client API. */
  apiAddress: string;
  cpuMillis: number;
  memoryBytes: number;
  labels: Record<string, string>;
  taints: NodeTaint[];
  version: string;
  raftRole: RaftRole;
}

export function encodeNodeMeta(m: NodeMeta): Meta {
  return {
    name: m.name,
    peer: m.peerAddress,
    api: m.apiAddress,
    cpu: String(m.cpuMillis),
    mem: String(m.memoryBytes),
    labels: JSON.stringify(m.labels),
    taints: JSON.stringify(m.taints),
    version: m.version,
    role: m.raftRole,
  };
}

function parseJson<T>(s: string | undefined, fallback: T): T {
  if (s === undefined) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/** Missing or malformed fields decode to empty values rather than throwing: metadata comes from peers. */
export function decodeNodeMeta(meta: Meta): NodeMeta {
  const role = meta['role'];
  return {
    name: meta['name'] ?? '',
    peerAddress: meta['peer'] ?? '',
    apiAddress: meta['api'] ?? '',
    cpuMillis: Number(meta['cpu'] ?? 0) || 0,
    memoryBytes: Number(meta['mem'] ?? 0) || 0,
    labels: parseJson<Record<string, string>>(meta['labels'], {}),
    taints: parseJson<NodeTaint[]>(meta['taints'], []),
    version: meta['version'] ?? '',
    raftRole: role === 'voter' || role === 'learner' ? role : 'none',
  };
}
