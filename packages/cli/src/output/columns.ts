/**
 * Table columns per kind, after kubectl's printers, so the output looks
 * familiar. `wide` columns are added by `-o wide`.
 */
import type {
  ConfigMap, CronJob, DaemonSet, Deployment, Endpoints, Event, Job, KubeObject, Namespace, Node, PersistentVolumeClaim, Pod,
  ReplicaSet, Secret, Service, StatefulSet, PodTemplateSpec,
} from '@shoal/api';
import { formatSelector } from '@shoal/api';
import { resourceName } from '../kinds.js';
import { age, shortDuration } from './age.js';

export interface Column { header: string; cell: (obj: KubeObject, now: Date) => string }
export interface KindColumns { normal: Column[]; wide: Column[] }

const none = '<none>';
const col = <T extends KubeObject>(header: string, cell: (obj: T, now: Date) => string): Column => ({ header, cell: cell as Column['cell'] });
const name = col('NAME', (o) => o.metadata.name);
const ageCol = col('AGE', (o, now) => age(o.metadata.creationTimestamp, now));
const num = (n: number | undefined): string => String(n ?? 0);

const templateOf = (o: KubeObject): PodTemplateSpec | undefined => (o.spec as { template?: PodTemplateSpec } | undefined)?.template;
const containersCol = col('CONTAINERS', (o) => (templateOf(o)?.spec.containers ?? []).map((c) => c.name).join(',') || none);
const imagesCol = col('IMAGES', (o) => (templateOf(o)?.spec.containers ?? []).map((c) => c.image).join(',') || none);
const selectorCol = col('SELECTOR', (o) => formatSelector((o.spec as { selector?: Parameters<typeof formatSelector>[0] } | undefined)?.selector) || none);

/** The STATUS kubectl shows for a pod: Terminating, a container's waiting/terminated reason, or the phase. */
export function podStatus(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const st = pod.status;
  let reason: string = st?.reason ?? st?.phase ?? 'Pending';
  const inits = st?.initContainerStatuses ?? [];
  for (const [i, c] of inits.entries()) {
    if (c.state.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state.terminated) return c.state.terminated.reason ? `Init:${c.state.terminated.reason}` : `Init:ExitCode:${c.state.terminated.exitCode}`;
    if (c.state.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') return `Init:${c.state.waiting.reason}`;
    if (!c.started && !c.ready) return `Init:${i}/${inits.length}`;
  }
  for (const c of st?.containerStatuses ?? []) {
    if (c.state.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
  }
  return reason;
}

const podColumns: KindColumns = {
  normal: [
    name,
    col<Pod>('READY', (p) => `${(p.status?.containerStatuses ?? []).filter((c) => c.ready).length}/${p.spec?.containers.length ?? 0}`),
    col<Pod>('STATUS', (p) => podStatus(p)),
    col<Pod>('RESTARTS', (p) => num((p.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0))),
    ageCol,
  ],
  wide: [
    col<Pod>('IP', (p) => p.status?.podIP || none),
    col<Pod>('NODE', (p) => p.spec?.nodeName || none),
  ],
};

const nodeReady = (n: Node): string => {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const status = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  return n.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
};

export const COLUMNS: Record<string, KindColumns> = {
  Pod: podColumns,
  Deployment: {
    normal: [
      name,
      col<Deployment>('READY', (d) => `${num(d.status?.readyReplicas)}/${d.spec?.replicas ?? 1}`),
      col<Deployment>('UP-TO-DATE', (d) => num(d.status?.updatedReplicas)),
      col<Deployment>('AVAILABLE', (d) => num(d.status?.availableReplicas)),
      ageCol,
    ],
    wide: [containersCol, imagesCol, selectorCol],
  },
  ReplicaSet: {
    normal: [
      name,
      col<ReplicaSet>('DESIRED', (r) => String(r.spec?.replicas ?? 1)),
      col<ReplicaSet>('CURRENT', (r) => num(r.status?.replicas)),
      col<ReplicaSet>('READY', (r) => num(r.status?.readyReplicas)),
      ageCol,
    ],
    wide: [containersCol, imagesCol, selectorCol],
  },
  StatefulSet: {
    normal: [name, col<StatefulSet>('READY', (s) => `${num(s.status?.readyReplicas)}/${s.spec?.replicas ?? 1}`), ageCol],
    wide: [containersCol, imagesCol],
  },
  DaemonSet: {
    normal: [
      name,
      col<DaemonSet>('DESIRED', (d) => num(d.status?.desiredNumberScheduled)),
      col<DaemonSet>('CURRENT', (d) => num(d.status?.currentNumberScheduled)),
      col<DaemonSet>('READY', (d) => num(d.status?.numberReady)),
      col<DaemonSet>('UP-TO-DATE', (d) => num(d.status?.updatedNumberScheduled)),
      col<DaemonSet>('AVAILABLE', (d) => num(d.status?.numberAvailable)),
      col<DaemonSet>('NODE SELECTOR', (d) => Object.entries(d.spec?.template.spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || none),
      ageCol,
    ],
    wide: [containersCol, imagesCol, selectorCol],
  },
  Job: {
    normal: [
      name,
      col<Job>('STATUS', (j) => jobStatus(j)),
      col<Job>('COMPLETIONS', (j) => `${num(j.status?.succeeded)}/${j.spec?.completions ?? 1}`),
      col<Job>('DURATION', (j, now) => {
        const start = j.status?.startTime ? Date.parse(j.status.startTime) : NaN;
        if (Number.isNaN(start)) return '';
        const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : now.getTime();
        return shortDuration(end - start);
      }),
      ageCol,
    ],
    wide: [containersCol, imagesCol, selectorCol],
  },
  CronJob: {
    normal: [
      name,
      col<CronJob>('SCHEDULE', (c) => c.spec?.schedule ?? ''),
      col<CronJob>('TIMEZONE', (c) => c.spec?.timeZone ?? none),
      col<CronJob>('SUSPEND', (c) => String(c.spec?.suspend ?? false)),
      col<CronJob>('ACTIVE', (c) => num(c.status?.active?.length)),
      col<CronJob>('LAST SCHEDULE', (c, now) => (c.status?.lastScheduleTime ? age(c.status.lastScheduleTime, now) : none)),
      ageCol,
    ],
    wide: [],
  },
  Service: {
    normal: [
      name,
      col<Service>('TYPE', (s) => s.spec?.type ?? 'ClusterIP'),
      col<Service>('CLUSTER-IP', (s) => s.spec?.clusterIP || none),
      col<Service>('EXTERNAL-IP', () => none),
      col<Service>('PORT(S)', (s) => (s.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || none),
      ageCol,
    ],
    wide: [col<Service>('SELECTOR', (s) => Object.entries(s.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || none)],
  },
  Endpoints: {
    normal: [
      name,
      col<Endpoints>('ENDPOINTS', (e) => {
        const all = (e.subsets ?? []).flatMap((s) => (s.addresses ?? []).flatMap((a) => ((s.ports ?? []).length ? (s.ports ?? []).map((p) => `${a.ip}:${p.port}`) : [a.ip])));
        if (all.length === 0) return none;
        return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
      }),
      ageCol,
    ],
    wide: [],
  },
  PersistentVolumeClaim: {
    normal: [
      name,
      col<PersistentVolumeClaim>('STATUS', (c) => (c.metadata.deletionTimestamp ? 'Terminating' : c.status?.phase ?? 'Pending')),
      col<PersistentVolumeClaim>('NODE', (c) => c.metadata.annotations?.['volume.kubernetes.io/selected-node'] ?? none),
      col<PersistentVolumeClaim>('CAPACITY', (c) => c.status?.capacity?.storage ?? ''),
      col<PersistentVolumeClaim>('ACCESS MODES', (c) => (c.status?.accessModes ?? c.spec?.accessModes ?? []).map((m) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m).join(',')),
      ageCol,
    ],
    wide: [],
  },
  ConfigMap: { normal: [name, col<ConfigMap>('DATA', (c) => String(Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length)), ageCol], wide: [] },
  Secret: {
    normal: [name, col<Secret>('TYPE', (s) => s.type ?? 'Opaque'), col<Secret>('DATA', (s) => String(Object.keys(s.data ?? {}).length)), ageCol],
    wide: [],
  },
  Namespace: { normal: [name, col<Namespace>('STATUS', (n) => n.status?.phase ?? 'Active'), ageCol], wide: [] },
  Node: {
    normal: [
      name,
      col<Node>('STATUS', nodeReady),
      col<Node>('ROLES', (n) => Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length)).join(',') || none),
      ageCol,
      col<Node>('VERSION', (n) => n.status?.nodeInfo?.kubeletVersion ?? ''),
    ],
    wide: [
      col<Node>('INTERNAL-IP', (n) => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? none),
      col<Node>('OS-IMAGE', (n) => n.status?.nodeInfo?.operatingSystem ?? none),
      col<Node>('CONTAINER-RUNTIME', (n) => n.status?.nodeInfo?.containerRuntimeVersion ?? none),
    ],
  },
  Event: {
    normal: [
      col<Event>('LAST SEEN', (e, now) => age(e.lastTimestamp ?? e.firstTimestamp ?? e.metadata.creationTimestamp, now)),
      col<Event>('TYPE', (e) => e.type),
      col<Event>('REASON', (e) => e.reason),
      col<Event>('OBJECT', (e) => `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`),
      col<Event>('MESSAGE', (e) => e.message),
    ],
    wide: [],
  },
};

export function jobStatus(j: Job): string {
  const conds = j.status?.conditions ?? [];
  const has = (type: string): boolean => conds.some((c) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (j.metadata.deletionTimestamp) return 'Terminating';
  if (j.spec?.suspend || has('Suspended')) return 'Suspended';
  return 'Running';
}

const generic: KindColumns = { normal: [name, ageCol], wide: [] };

/** The columns of a kind's table; `qualified` names rows "kind/name" (tables of several kinds). */
export function columnsFor(kind: string, wide: boolean, withNamespace: boolean, qualified = false): Column[] {
  const c = COLUMNS[kind] ?? generic;
  let cols = wide ? [...c.normal, ...c.wide] : [...c.normal];
  if (qualified) cols = cols.map((x) => (x === name ? col('NAME', (o) => `${resourceName(o.kind)}/${o.metadata.name}`) : x));
  return withNamespace ? [col('NAMESPACE', (o) => o.metadata.namespace ?? ''), ...cols] : cols;
}
