/**
 * What a container's /etc/resolv.conf should say: the node's DNS server, the
 * cluster search path and ndots 5, as Kubernetes does for ClusterFirst pods.
 */
import type { Pod } from '@shoal/api';

export interface PodDnsConfig {
  nameservers: string[];
  searches: string[];
  /** resolv.conf options, e.g. `ndots:5` (Docker's DnsOptions format). */
  options: string[];
}

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/**
 * The resolver settings for `pod`, or undefined when the runtime should keep
 * its default (the host's resolvers): dnsPolicy Default, or a hostNetwork pod
 * without an explicit ClusterFirstWithHostNet-like choice. dnsPolicy None gives
 * an empty config (the pod brings its own).
 */
export function dnsConfigFor(pod: Pod, clusterDomain: string, nameserverIP: string): PodDnsConfig | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'Default') return undefined;
  if (policy === 'None') return { nameservers: [], searches: [], options: [] };
  if (pod.spec?.hostNetwork === true) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  return {
    nameservers: [nameserverIP],
    searches: [`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain],
    options: ['ndots:5'],
  };
}
