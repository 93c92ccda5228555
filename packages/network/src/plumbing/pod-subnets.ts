/**
 * How the pod bridge's subnet is shared between the nodes of one Docker
 * engine: slice 0 of the subnet holds the gateway (the host side of the
 * bridge, where proxies and DNS servers listen); node i owns slice i of the
 * lower half, and its pods get addresses from there, so the VIP rules can
 * tell by source address which node's proxy must carry a connection. The
 * upper half is Docker's own pool for containers created without an address,
 * so those never land in a node's slice. Pure.
 */
import { CidrError, contains, formatCidr, ipToInt, nth, parseCidr, size, type Cidr } from './cidr.js';

export interface PodNetworkPlan {
  /** The whole bridge subnet, e.g. 10.210.0.0/16. */
  subnet: string;
  /** The bridge's gateway: the first address of the subnet. */
  gateway: string;
  /** This node's slice, e.g. 10.210.3.0/24. */
  nodeCIDR: string;
  /** Where Docker picks addresses it is not given: the subnet's upper half. */
  dynamicRange: string;
}

/** The upper half of a block, e.g. 10.210.128.0/17 for 10.210.0.0/16. */
export function upperHalf(subnet: string): string {
  const c = parseCidr(subnet);
  if (c.bits >= 31) throw new CidrError(`${subnet} is too small to halve`);
  return formatCidr({ base: (c.base + size(c) / 2) >>> 0, bits: c.bits + 1 });
}

/** Node `index` (1-based) gets slice `index` of size /`sliceBits` inside `subnet`. */
export function podNetworkPlan(subnet: string, index: number, sliceBits = 24): PodNetworkPlan {
  const net = parseCidr(subnet);
  if (sliceBits < net.bits || sliceBits > 30) throw new CidrError(`slices of /${sliceBits} do not fit ${subnet}`);
  if (sliceBits <= net.bits) throw new CidrError(`slices of /${sliceBits} do not fit the lower half of ${subnet}`);
  // Node slices live in the lower half; the upper half is Docker's dynamic pool.
  const slices = 2 ** (sliceBits - net.bits - 1);
  if (!Number.isInteger(index) || index < 1 || index >= slices) throw new CidrError(`node index ${index} is outside 1..${slices - 1} for ${subnet} in /${sliceBits} slices`);
  const slice: Cidr = { base: (net.base + index * 2 ** (32 - sliceBits)) >>> 0, bits: sliceBits };
  return { subnet: formatCidr(net), gateway: nth(net, 1), nodeCIDR: formatCidr(slice), dynamicRange: upperHalf(subnet) };
}

/**
 * The next free address of a slice after `after` (wrapping round; from the
 * start without it), skipping the slice's network and broadcast addresses,
 * the gateway and `used`. Going round rather than taking the lowest free one
 * keeps a just-released address (still in neighbours' ARP caches) unused for
 * as long as possible. Undefined when the slice is full.
 */
export function nextPodAddress(nodeCIDR: string, used: ReadonlySet<string>, opts: { gateway?: string; after?: string } = {}): string | undefined {
  const c = parseCidr(nodeCIDR);
  const n = size(c);
  if (n < 4) return undefined;
  const start = opts.after && contains(c, opts.after) ? ipToInt(opts.after) - c.base : 0;
  for (let k = 1; k <= n; k++) {
    const i = (start + k) % n;
    if (i === 0 || i === n - 1) continue;
    const ip = nth(c, i);
    if (ip !== opts.gateway && !used.has(ip)) return ip;
  }
  return undefined;
}

export function inSlice(nodeCIDR: string, ip: string): boolean {
  return contains(parseCidr(nodeCIDR), ip);
}
