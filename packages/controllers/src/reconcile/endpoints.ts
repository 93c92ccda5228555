/**
 * Endpoints: for each Service with a selector, an Endpoints object of the
 * same name listing the matching pods that have an IP: ready ones in
 * `addresses`, others in `notReadyAddresses` (all in `addresses` with
 * publishNotReadyAddresses). Terminating and finished pods are left out at
 * once, so traffic stops before their containers do. Ports resolve per pod:
 * a numeric targetPort as is, a named one through the pod's container ports;
 * pods with the same resolved ports share a subset.
 */
import { matchesSelector, type Action, type EndpointAddress, type EndpointPort, type EndpointSubset, type Endpoints, type ObjectKey, type ObjectReader, type Pod, type Service, type ServicePort } from '@shoal/api';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { canonicalJson, deepEqual } from './util/hash.js';
import { isFinished, isPodReady, isTerminating } from './util/pods.js';

function resolvePort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const asNumber = Number(target);
  if (Number.isInteger(asNumber) && asNumber > 0) return asNumber;
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

function byIp(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.name ?? '') < (b.targetRef?.name ?? '') ? -1 : 1;
}

export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const svcPorts = svc.spec?.ports ?? [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || isTerminating(pod) || isFinished(pod)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svcPorts) {
      const port = resolvePort(sp, pod);
      if (port !== undefined) ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' });
    }
    if (svcPorts.length > 0 && ports.length === 0) continue;
    const k = canonicalJson(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, ready: [], notReady: [] }));
    const address: EndpointAddress = {
      ip,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      ...(pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name ? { hostname: pod.spec.hostname } : {}),
      targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace ?? 'default', ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
    };
    if (isPodReady(pod) || svc.spec?.publishNotReadyAddresses) g.ready.push(address);
    else g.notReady.push(address);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ports: g.ports,
    }));
}

export function reconcileEndpoints(key: ObjectKey, view: ObjectReader, _ctx: ReconcileContext): ReconcileResult {
  const svc = view.get<Service>(key);
  const epKey = { kind: 'Endpoints', namespace: key.namespace, name: key.name };
  const ep = view.get<Endpoints>(epKey);
  if (!svc || isTerminating(svc)) {
    return { actions: ep ? [{ op: 'delete', key: epKey, uid: ep.metadata.uid }] : [] };
  }
  // Without a selector the user manages the Endpoints.
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return { actions: [] };
  const pods = view.list<Pod>('Pod', { namespace: key.namespace }).filter((p) => matchesSelector({ matchLabels: selector }, p.metadata.labels));
  const subsets = desiredSubsets(svc, pods);
  const actions: Action[] = [];
  if (!ep) {
    const created: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: key.name, namespace: key.namespace, labels: { ...(svc.metadata.labels ?? {}) } }, subsets };
    actions.push({ op: 'create', object: created });
  } else if (!deepEqual(ep.subsets ?? [], subsets)) {
    actions.push({ op: 'update', object: { ...ep, subsets } as Endpoints });
  }
  return { actions };
}
