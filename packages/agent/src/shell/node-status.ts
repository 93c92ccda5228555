/** The node's capacity, allocatable resources, readiness and volumes, from the runtime. */
import type { Condition, NodeStatus } from '@shoal/api';
import { LABEL_POD_NAMESPACE, LABEL_VOLUME_KIND, type ContainerRuntime } from '@shoal/runtime';
import { LABEL_CLAIM_NAME } from './volumes.js';

export interface NodeStatusInput {
  runtime: ContainerRuntime;
  nodeName: string;
  hostIP: string;
  maxPods: number;
  reservedCpuMillis: number;
  reservedMemoryBytes: number;
  nowIso: string;
  previous?: NodeStatus;
}

function readyCondition(ok: boolean, reason: string, message: string, nowIso: string, previous?: NodeStatus): Condition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.conditions?.find((c) => c.type === 'Ready');
  return {
    // No per-report timestamp: liveness travels by gossip, and an unchanged
    // status must compare equal so it costs no log entry.
    type: 'Ready', status, reason, message,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : nowIso,
  };
}

export async function nodeStatus(i: NodeStatusInput): Promise<NodeStatus> {
  const addresses: NodeStatus['addresses'] = [{ type: 'Hostname', address: i.nodeName }];
  if (i.hostIP) addresses.unshift({ type: 'InternalIP', address: i.hostIP });
  try {
    const r = await i.runtime.nodeResources();
    // Claim volumes as "<namespace>/<claim>" (what the scheduler matches claims by).
    const volumes = (await i.runtime.listVolumes())
      .filter((v) => v.labels[LABEL_VOLUME_KIND] === 'pv')
      .map((v) => (v.labels[LABEL_CLAIM_NAME] ? `${v.labels[LABEL_POD_NAMESPACE] ?? 'default'}/${v.labels[LABEL_CLAIM_NAME]}` : v.name))
      .sort();
    const cpuMillis = r.cpus * 1000;
    return {
      capacity: { cpu: String(r.cpus), memory: `${Math.floor(r.memoryBytes / 1024)}Ki`, pods: String(i.maxPods) },
      allocatable: {
        cpu: `${Math.max(0, cpuMillis - i.reservedCpuMillis)}m`,
        memory: `${Math.floor(Math.max(0, r.memoryBytes - i.reservedMemoryBytes) / 1024)}Ki`,
        pods: String(i.maxPods),
      },
      conditions: [readyCondition(true, 'AgentReady', 'agent is posting ready status', i.nowIso, i.previous)],
      addresses,
      nodeInfo: { kubeletVersion: 'shoal-agent/0.1.0', containerRuntimeVersion: r.runtimeVersion, operatingSystem: r.operatingSystem, architecture: r.architecture },
      volumes,
    };
  } catch (err) {
    const out: NodeStatus = {
      conditions: [readyCondition(false, 'RuntimeUnavailable', `container runtime does not answer: ${(err as Error).message}`, i.nowIso, i.previous)],
      addresses,
    };
    if (i.previous?.capacity) out.capacity = i.previous.capacity;
    if (i.previous?.allocatable) out.allocatable = i.previous.allocatable;
    return out;
  }
}
