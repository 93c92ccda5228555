/**
 * What the node's proxy should carry, computed from the store: for every port
 * (TCP or UDP) of every Service with a virtual IP, one route to the ready endpoints of
 * that port, plus a NodePort route when the service has one. Pure.
 */
import type { Endpoints, ObjectReader, Service, ServicePort } from '@shoal/api';
import type { Backend, BackendGroup } from './balancer.js';
import type { ProxyRoute } from './service-proxy.js';
import { hasClusterIP } from '../env/service-env.js';

/** One service port as the proxy and the VIP rules see it. */
export interface ServicePortRoute {
  /** `<ns>/<name>:<port name or number>`, with `/udp` appended for UDP ports. */
  key: string;
  protocol: 'tcp' | 'udp';
  namespace: string;
  name: string;
  clusterIP: string;
  port: number;
  nodePort?: number;
  groups: BackendGroup[];
  affinity?: { timeoutSeconds: number };
}

/**
 * Splits one port's endpoints into weighted groups. The default is one group
 * (round robin); a canary controller can later supply its own.
 */
export type GroupSplitter = (svc: Service, port: ServicePort, endpoints: Backend[]) => BackendGroup[];

export const singleGroup: GroupSplitter = (_svc, _port, endpoints) => [{ weight: 1, endpoints }];

/** Kubernetes' default ClientIP affinity timeout: three hours. */
const DEFAULT_AFFINITY_SECONDS = 10_800;

export function routeKey(namespace: string, name: string, port: ServicePort): string {
  return `${namespace}/${name}:${port.name || port.port}${port.protocol === 'UDP' ? '/udp' : ''}`;
}

/**
 * The ready endpoints of one service port. Endpoints ports carry the service
 * port's name and the resolved target port (Kubernetes convention); an unnamed
 * single-port service matches the unnamed endpoint port.
 */
export function endpointsForPort(ep: Endpoints | undefined, port: ServicePort): Backend[] {
  const out: Backend[] = [];
  const seen = new Set<string>();
  for (const s of ep?.subsets ?? []) {
    const match = (s.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (!match) continue;
    for (const a of s.addresses ?? []) {
      const k = `${a.ip}:${match.port}`;
      if (!seen.has(k)) { seen.add(k); out.push({ ip: a.ip, port: match.port }); }
    }
  }
  return out;
}

export function serviceRoutes(view: ObjectReader, split: GroupSplitter = singleGroup): ServicePortRoute[] {
  const out: ServicePortRoute[] = [];
  for (const svc of view.list<Service>('Service')) {
    if (!hasClusterIP(svc)) continue;
    const namespace = svc.metadata.namespace ?? 'default';
    const ep = view.get<Endpoints>({ kind: 'Endpoints', namespace, name: svc.metadata.name });
    const affinity = svc.spec?.sessionAffinity === 'ClientIP'
      ? { timeoutSeconds: svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS }
      : undefined;
    for (const port of svc.spec?.ports ?? []) {
      out.push({
        key: routeKey(namespace, svc.metadata.name, port),
        protocol: port.protocol === 'UDP' ? 'udp' : 'tcp',
        namespace,
        name: svc.metadata.name,
        clusterIP: svc.spec!.clusterIP!,
        port: port.port,
        ...(svc.spec?.type === 'NodePort' && port.nodePort ? { nodePort: port.nodePort } : {}),
        groups: split(svc, port, endpointsForPort(ep, port)),
        ...(affinity ? { affinity } : {}),
      });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface ListenAddresses {
  /** Where VIP routes listen (behind DNAT), e.g. the bridge gateway IP. */
  vipHost: string;
  /** This node's own address, for NodePort listeners (e.g. 127.0.0.2 locally). */
  nodeAddress?: string;
}

/** Proxy routes for the service ports: a VIP listener each, plus NodePort ones. */
export function proxyRoutes(routes: readonly ServicePortRoute[], at: ListenAddresses): ProxyRoute[] {
  const out: ProxyRoute[] = [];
  for (const r of routes) {
    const base = { protocol: r.protocol, groups: r.groups, ...(r.affinity ? { affinity: r.affinity } : {}) };
    out.push({ key: r.key, listen: { host: at.vipHost, port: 0 }, ...base });
    if (r.nodePort !== undefined && at.nodeAddress !== undefined) {
      out.push({ key: `${r.key}@nodeport`, listen: { host: at.nodeAddress, port: r.nodePort }, ...base });
    }
  }
  return out;
}
