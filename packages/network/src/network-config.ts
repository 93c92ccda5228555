/**
 * The network settings of one node, with defaults, validated at
 * construction: the cluster-wide ranges (service CIDR, pod subnet, cluster
 * domain) and what is this node's own (its slice of the pod subnet).
 */
import { CidrError, formatCidr, overlaps, parseCidr } from './plumbing/cidr.js';
import { podNetworkPlan } from './plumbing/pod-subnets.js';

export interface NetworkSettingsInput {
  node: string;
  /** 1-based; picks this node's slice of the pod subnet. */
  nodeIndex: number;
  /** This node's own address (NodePort listeners), e.g. 127.0.0.2 locally. */
  nodeAddress?: string;
  /** Virtual IPs of Services. Default 10.96.0.0/16 (must match the store's allocator). */
  serviceCIDR?: string;
  /** The Docker bridge's subnet. Default 10.210.0.0/16. */
  podSubnet?: string;
  /** Prefix length of each node's slice. Default 24. */
  nodeSliceBits?: number;
  /** Docker network name. Default shoal0. */
  bridgeNetwork?: string;
  /** Default cluster.local. */
  clusterDomain?: string;
}

export interface NetworkSettings {
  node: string;
  nodeAddress?: string;
  serviceCIDR: string;
  podSubnet: string;
  nodeCIDR: string;
  gateway: string;
  /** Docker's pool for containers created without an address (the subnet's upper half). */
  dynamicRange: string;
  bridgeNetwork: string;
  clusterDomain: string;
}

export class NetworkConfigError extends Error {
  override name = 'NetworkConfigError';
  constructor(readonly field: string, reason: string, options?: ErrorOptions) {
    super(`${field}: ${reason}`, options);
  }
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const NETWORK_DEFAULTS = {
  serviceCIDR: '10.96.0.0/16',
  podSubnet: '10.210.0.0/16',
  nodeSliceBits: 24,
  bridgeNetwork: 'shoal0',
  clusterDomain: 'cluster.local',
} as const;

export function networkSettings(input: NetworkSettingsInput): NetworkSettings {
  if (!input.node) throw new NetworkConfigError('node', 'must be set');
  const serviceCIDR = input.serviceCIDR ?? NETWORK_DEFAULTS.serviceCIDR;
  const podSubnet = input.podSubnet ?? NETWORK_DEFAULTS.podSubnet;
  const parse = (field: string, v: string) => {
    try {
      return parseCidr(v);
    } catch (err) {
      throw new NetworkConfigError(field, (err as Error).message, { cause: err });
    }
  };
  const svc = parse('serviceCIDR', serviceCIDR);
  const pods = parse('podSubnet', podSubnet);
  if (overlaps(svc, pods)) throw new NetworkConfigError('serviceCIDR', `overlaps podSubnet ${podSubnet}`);
  let plan;
  try {
    plan = podNetworkPlan(podSubnet, input.nodeIndex, input.nodeSliceBits ?? NETWORK_DEFAULTS.nodeSliceBits);
  } catch (err) {
    if (err instanceof CidrError) throw new NetworkConfigError('nodeIndex', err.message, { cause: err });
    throw err;
  }
  const clusterDomain = (input.clusterDomain ?? NETWORK_DEFAULTS.clusterDomain).toLowerCase().replace(/\.$/, '');
  if (!clusterDomain.split('.').every((l) => LABEL.test(l))) throw new NetworkConfigError('clusterDomain', `not a DNS name: ${clusterDomain}`);
  const bridgeNetwork = input.bridgeNetwork ?? NETWORK_DEFAULTS.bridgeNetwork;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(bridgeNetwork)) throw new NetworkConfigError('bridgeNetwork', 'must be 1-15 characters of letters, digits, _ . - (it names the bridge interface too)');
  return {
    node: input.node,
    ...(input.nodeAddress ? { nodeAddress: input.nodeAddress } : {}),
    serviceCIDR: formatCidr(svc),
    podSubnet: plan.subnet,
    nodeCIDR: plan.nodeCIDR,
    gateway: plan.gateway,
    dynamicRange: plan.dynamicRange,
    bridgeNetwork,
    clusterDomain,
  };
}
