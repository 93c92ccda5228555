/**
 * How the pod bridge's subnet is shared between the nodes of one Docker
 * engine: slice 0 of the subnet holds the gateway (the host side of the
 * bridge, where proxies and DNS servers listen); node i owns slice i, and its
 * pods get addresses only from there, so the VIP rules can tell by source
 * address which node's proxy must carry a connection. Pure.
 */
import { CidrError, contains, formatCidr, nth, parseCidr, size, type Cidr } from './cidr.js';

export interface PodNetworkPlan {
  /** The whole bridge subnet, e.g. 10.210.0.0/16. */
  subnet: string;
  /** The bridge's gateway: the first address of the subnet. */
  gateway: string;
  /** This node's slice, e.g. 10.210.3.0/24. */
  nodeCIDR: string;
}

/** Node `index` (1-based) gets slice `index` of size /`sliceBits` inside `subnet`. */
export function podNetworkPlan(subnet: string, index: number, sliceBits = 24): PodNetworkPlan {
  const net = parseCidr(subnet);
  if (sliceBits < net.bits || sliceBits > 30) throw new CidrError(`slices of /${sliceBits} do not fit ${subnet}`);
  const slices = 2 ** (sliceBits - net.bits);
  if (!Number.isInteger(index) || index < 1 || index >= slices) throw new CidrError(`node index ${index} is outside 1..${slices - 1} for ${subnet} in /${sliceBits} slices`);
  const slice: Cidr = { base: (net.base + index * 2 ** (32 - sliceBits)) >>> 0, bits: sliceBits };
  return { subnet: formatCidr(net), gateway: nth(net, 1), nodeCIDR: formatCidr(slice) };
}

/**
 * The first free pod address of a node's slice (skipping the network and
 * broadcast addresses), or undefined when the slice is full. The runtime
 * passes it to Docker as the container's IPv4 address on the bridge.
 */
export function freePodAddress(nodeCIDR: string, used: ReadonlySet<string>): string | undefined {
  const c = parseCidr(nodeCIDR);
  for (let i = 1; i < size(c) - 1; i++) {
    const ip = nth(c, i);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

export function inSlice(nodeCIDR: string, ip: string): boolean {
  return contains(parseCidr(nodeCIDR), ip);
}
