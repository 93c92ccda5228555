/**
 * applyDefaults: the Kubernetes defaults for every kind, so a manifest that
 * leaves them out is stored the same as one that spells them out. Returns a
 * new object; fields set to null (YAML `field:` with no value) are dropped.
 */
import type {
  Container, CronJobSpec, DaemonSetSpec, DeploymentSpec, JobSpec, KubeObject, PodSpec, PodTemplateSpec, Probe,
  ReplicaSetSpec, ServiceSpec, StatefulSetSpec,
} from './types.js';
import { KINDS } from './types.js';
import { isKind } from './kinds.js';

/** A deep copy without null or undefined fields (array holes stay as they are). */
export function withoutNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => withoutNulls(x)) as T;
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
    return out as T;
  }
  return v;
}

function probeDefaults(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

function containerDefaults(c: Container): void {
  c.imagePullPolicy ??= 'IfNotPresent';
  // A limit without a request requests the limit (what the scheduler counts).
  const limits = c.resources?.limits;
  if (c.resources && limits) {
    for (const [res, q] of Object.entries(limits)) {
      c.resources.requests ??= {};
      c.resources.requests[res] ??= q;
    }
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  probeDefaults(c.livenessProbe);
  probeDefaults(c.readinessProbe);
  probeDefaults(c.startupProbe);
}

/** Pod spec defaults; `restartPolicy` is left alone for Job templates, which must choose. */
function podSpecDefaults(s: PodSpec | undefined, defaultRestart: boolean): void {
  if (!s) return;
  if (defaultRestart) s.restartPolicy ??= 'Always';
  s.terminationGracePeriodSeconds ??= 30;
  s.dnsPolicy ??= 'ClusterFirst';
  s.enableServiceLinks ??= true;
  s.schedulerName ??= 'default-scheduler';
  for (const c of s.containers ?? []) containerDefaults(c);
  for (const c of s.initContainers ?? []) containerDefaults(c);
  for (const t of s.tolerations ?? []) t.operator ??= 'Equal';
}

function templateDefaults(t: PodTemplateSpec | undefined, defaultRestart = true): void {
  if (t) podSpecDefaults(t.spec, defaultRestart);
}

function jobSpecDefaults(s: JobSpec | undefined): void {
  if (!s) return;
  if (s.completions === undefined && s.parallelism === undefined) {
    s.completions = 1;
    s.parallelism = 1;
  }
  s.parallelism ??= 1;
  s.backoffLimit ??= 6;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  templateDefaults(s.template, false);
}

type Defaulter = (spec: never, obj: KubeObject & Record<string, unknown>) => void;

const SPEC_DEFAULTS: Partial<Record<string, Defaulter>> = {
  Pod: (s: PodSpec) => podSpecDefaults(s, true),
  ReplicaSet: (s: ReplicaSetSpec) => {
    s.replicas ??= 1;
    templateDefaults(s.template);
  },
  Deployment: (s: DeploymentSpec) => {
    s.replicas ??= 1;
    s.strategy ??= {};
    s.strategy.type ??= 'RollingUpdate';
    if (s.strategy.type === 'RollingUpdate') {
      s.strategy.rollingUpdate ??= {};
      s.strategy.rollingUpdate.maxUnavailable ??= '25%';
      s.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    s.minReadySeconds ??= 0;
    templateDefaults(s.template);
  },
  StatefulSet: (s: StatefulSetSpec) => {
    s.replicas ??= 1;
    s.podManagementPolicy ??= 'OrderedReady';
    s.updateStrategy ??= {};
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {};
      s.updateStrategy.rollingUpdate.partition ??= 0;
    }
    s.revisionHistoryLimit ??= 10;
    s.persistentVolumeClaimRetentionPolicy ??= {};
    s.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
    s.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
    templateDefaults(s.template);
  },
  DaemonSet: (s: DaemonSetSpec) => {
    s.updateStrategy ??= {};
    s.updateStrategy.type ??= 'RollingUpdate';
    if (s.updateStrategy.type === 'RollingUpdate') {
      s.updateStrategy.rollingUpdate ??= {};
      s.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      s.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    s.revisionHistoryLimit ??= 10;
    templateDefaults(s.template);
  },
  Job: (s: JobSpec) => jobSpecDefaults(s),
  CronJob: (s: CronJobSpec) => {
    s.concurrencyPolicy ??= 'Allow';
    s.suspend ??= false;
    s.successfulJobsHistoryLimit ??= 3;
    s.failedJobsHistoryLimit ??= 1;
    jobSpecDefaults(s.jobTemplate?.spec);
  },
  Service: (s: ServiceSpec) => {
    s.type ??= 'ClusterIP';
    s.sessionAffinity ??= 'None';
    for (const p of s.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    if (s.sessionAffinity === 'ClientIP') {
      s.sessionAffinityConfig ??= {};
      s.sessionAffinityConfig.clientIP ??= {};
      s.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
    }
  },
};

/** Returns a defaulted copy of `obj`; the input is not modified. Unknown kinds pass through copied. */
export function applyDefaults<T extends KubeObject>(obj: T): T {
  const out = withoutNulls(obj) as T & Record<string, unknown>;
  out.metadata ??= { name: '' };
  if (!isKind(out.kind)) return out;
  out.apiVersion ??= KINDS[out.kind].apiVersion;
  if (KINDS[out.kind].namespaced) out.metadata.namespace ||= 'default';
  if (out.kind === 'Service') out.spec ??= {} as T['spec'];
  const defaulter = SPEC_DEFAULTS[out.kind];
  if (defaulter && typeof out.spec === 'object' && out.spec !== null) defaulter(out.spec as never, out);
  if (out.kind === 'Secret') (out as Record<string, unknown>).type ??= 'Opaque';
  if (out.kind === 'Namespace') {
    const status = (out.status ??= {} as T['status']) as { phase?: string };
    status.phase ??= 'Active';
  }
  return out;
}
