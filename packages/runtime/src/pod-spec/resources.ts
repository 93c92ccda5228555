/** Container resource requests and limits as cgroup settings. */
import type { ResourceRequirements } from '@shoal/api';
import type { CgroupResources } from '../runtime.js';
import { cpuMillis, memoryBytes } from '../quantity.js';

export function cgroupResources(r: ResourceRequirements | undefined): CgroupResources {
  const out: CgroupResources = {};
  const limits = r?.limits ?? {};
  // Kubernetes: a request left out defaults to the limit.
  const requests = { ...limits, ...(r?.requests ?? {}) };
  if (limits.cpu !== undefined) out.nanoCpus = cpuMillis(limits.cpu) * 1_000_000;
  if (requests.cpu !== undefined) out.cpuShares = Math.max(2, Math.floor((cpuMillis(requests.cpu) * 1024) / 1000));
  if (limits.memory !== undefined) out.memoryBytes = memoryBytes(limits.memory);
  if (requests.memory !== undefined) out.memoryReservationBytes = memoryBytes(requests.memory);
  return out;
}
