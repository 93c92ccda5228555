/**
 * The `<NAME>_SERVICE_HOST` family of environment variables, in the exact
 * format Kubernetes gives containers: one set per service that exists in the
 * pod's namespace when the pod starts. Pure: services in, variables out.
 */
import type { EnvVar, ObjectReader, Pod, Service, ServicePort } from '@shoal/api';

/** `redis-primary` -> `REDIS_PRIMARY`. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** True when the service has a virtual IP (not headless, already allocated). */
export function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function protoOf(p: ServicePort): string {
  return (p.protocol ?? 'TCP').toLowerCase();
}

/** The variables of one service; empty when it has no virtual IP or no port. */
export function envVarsForService(svc: Service): EnvVar[] {
  const ports = svc.spec?.ports ?? [];
  const first = ports[0];
  if (!hasClusterIP(svc) || first === undefined) return [];
  const ip = svc.spec!.clusterIP!;
  const prefix = envName(svc.metadata.name);
  const out: EnvVar[] = [
    { name: `${prefix}_SERVICE_HOST`, value: ip },
    { name: `${prefix}_SERVICE_PORT`, value: String(first.port) },
  ];
  for (const p of ports) {
    if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
  }
  // The Docker-links compatible set: the first port, then every port in detail.
  out.push({ name: `${prefix}_PORT`, value: `${protoOf(first)}://${hostPort(ip, first.port)}` });
  for (const p of ports) {
    const proto = protoOf(p);
    const base = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push(
      { name: base, value: `${proto}://${hostPort(ip, p.port)}` },
      { name: `${base}_PROTO`, value: proto },
      { name: `${base}_PORT`, value: String(p.port) },
      { name: `${base}_ADDR`, value: ip },
    );
  }
  return out;
}

/**
 * Variables for every service of `namespace` (others are ignored), ordered by
 * service name so the result does not depend on the store's iteration order.
 */
export function serviceEnvVars(services: readonly Service[], namespace: string): EnvVar[] {
  const mine = services
    .filter((s) => (s.metadata.namespace ?? 'default') === namespace)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  return mine.flatMap(envVarsForService);
}

/**
 * The hook the agent calls when it starts a pod's containers. Honours
 * `enableServiceLinks: false`. Variables the container sets itself must win:
 * the caller puts these first and the container's own `env` after them.
 */
export function podServiceEnv(pod: Pod, view: ObjectReader): EnvVar[] {
  if (pod.spec?.enableServiceLinks === false) return [];
  const namespace = pod.metadata.namespace ?? 'default';
  return serviceEnvVars(view.list<Service>('Service', { namespace }), namespace);
}
