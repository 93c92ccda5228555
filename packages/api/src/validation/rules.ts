/**
 * Cross-field rules the field schema cannot express: unique names, references
 * between fields, selector/template agreement, one-of choices. Each rule reads
 * an object that already passed the schema walk, so shapes are trusted.
 */
import type { Container, KubeObject, LabelSelector, PodSpec, PodTemplateSpec, Probe, ServiceSpec, Volume } from '../types.js';
import { KINDS } from '../types.js';
import { dns1123Label, dns1123Subdomain } from '../names.js';
import { matchesSelector, isEmptySelector } from '../label-selector.js';
import { cpuMillis, memoryBytes } from '../quantity.js';
import type { Issues } from './issues.js';

/** Kubernetes' limit on the total size of an object's annotations. */
export const MAX_ANNOTATIONS_BYTES = 256 * 1024;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Kinds whose names are DNS labels (they become DNS names or env var prefixes). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);

export function checkMetadata(obj: KubeObject, issues: Issues): void {
  const m = obj.metadata;
  const nameCheck = LABEL_NAMED.has(obj.kind) ? dns1123Label : dns1123Subdomain;
  if (!m.name) {
    if (!m.generateName) issues.required('metadata.name');
  } else {
    for (const why of nameCheck(m.name)) issues.invalid('metadata.name', m.name, why);
  }
  if (m.generateName) {
    // The leader appends a 5-character suffix; a trailing '-' is the usual separator.
    const masked = `${m.generateName.replace(/-$/, '')}x`;
    for (const why of nameCheck(masked)) issues.invalid('metadata.generateName', m.generateName, why);
  }
  const info = KINDS[obj.kind as keyof typeof KINDS];
  if (info && !info.namespaced && m.namespace) issues.forbidden('metadata.namespace', `not allowed on cluster-scoped kind ${obj.kind}`);
  if (m.annotations) {
    let total = 0;
    for (const [k, v] of Object.entries(m.annotations)) total += utf8Length(k) + utf8Length(String(v));
    if (total > MAX_ANNOTATIONS_BYTES) issues.tooLong('metadata.annotations', MAX_ANNOTATIONS_BYTES);
  }
  const controllers = (m.ownerReferences ?? []).filter((r) => r.controller === true);
  if (controllers.length > 1) issues.invalid('metadata.ownerReferences', controllers.map((r) => r.name), 'only one reference can have controller set to true');
}

function unique<T>(items: readonly T[] | undefined, key: (t: T) => string | undefined, path: (i: number) => string, issues: Issues): void {
  const seen = new Set<string>();
  (items ?? []).forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    if (seen.has(k)) issues.duplicate(path(i), k);
    seen.add(k);
  });
}

function checkProbe(p: Probe | undefined, path: string, mustSucceedOnce: boolean, issues: Issues): void {
  if (!p) return;
  const handlers = ['exec', 'httpGet', 'tcpSocket'].filter((h) => p[h as keyof Probe] !== undefined && p[h as keyof Probe] !== null);
  if (handlers.length === 0) issues.required(`${path}.exec`);
  if (handlers.length > 1) issues.forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type');
  if (mustSucceedOnce && p.successThreshold !== undefined && p.successThreshold !== 1) {
    issues.invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1');
  }
}

function checkResources(c: Container, path: string, issues: Issues): void {
  const { requests, limits } = c.resources ?? {};
  if (!requests || !limits) return;
  for (const [res, measure] of [['cpu', cpuMillis], ['memory', memoryBytes]] as const) {
    const r = requests[res];
    const l = limits[res];
    if (r !== undefined && r !== null && l !== undefined && l !== null && measure(r) > measure(l)) {
      issues.invalid(`${path}.resources.requests[${res}]`, r, `must be less than or equal to ${res} limit of ${l}`);
    }
  }
}

function checkContainer(c: Container, path: string, volumes: Set<string>, isInit: boolean, issues: Issues): void {
  unique(c.ports, (p) => p.name, (i) => `${path}.ports[${i}].name`, issues);
  unique(c.volumeMounts, (m) => m.mountPath, (i) => `${path}.volumeMounts[${i}].mountPath`, issues);
  (c.volumeMounts ?? []).forEach((m, i) => {
    if (m.name && !volumes.has(m.name)) issues.invalid(`${path}.volumeMounts[${i}].name`, m.name, 'not found in spec.volumes');
  });
  checkProbe(c.livenessProbe, `${path}.livenessProbe`, true, issues);
  checkProbe(c.readinessProbe, `${path}.readinessProbe`, false, issues);
  checkProbe(c.startupProbe, `${path}.startupProbe`, true, issues);
  if (!isInit && c.restartPolicy !== undefined) issues.forbidden(`${path}.restartPolicy`, 'may only be set on init containers');
  if (isInit && c.restartPolicy === undefined) {
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[p]) issues.forbidden(`${path}.${p}`, 'may not be set for init containers without restartPolicy=Always');
    }
  }
  (c.env ?? []).forEach((e, i) => {
    if (e.value !== undefined && e.value !== null && e.valueFrom) issues.invalid(`${path}.env[${i}].valueFrom`, '', 'may not be specified when `value` is not empty');
    if (e.valueFrom) {
      const set = Object.values(e.valueFrom).filter((v) => v !== undefined && v !== null).length;
      if (set !== 1) issues.invalid(`${path}.env[${i}].valueFrom`, '', 'must specify exactly one of configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef');
    }
  });
  checkResources(c, path, issues);
}

const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim'] as const;

/** `extraVolumes`: names mountable without a spec.volumes entry (a StatefulSet's claim templates). */
export function checkPodSpec(spec: PodSpec, path: string, issues: Issues, extraVolumes: readonly string[] = []): void {
  unique(spec.volumes, (v) => v.name, (i) => `${path}.volumes[${i}].name`, issues);
  (spec.volumes ?? []).forEach((v: Volume, i) => {
    const set = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (set.length === 0) issues.required(`${path}.volumes[${i}]`);
    if (set.length > 1) issues.forbidden(`${path}.volumes[${i}].${set[1]}`, 'may not specify more than 1 volume type');
  });
  const volumes = new Set([...(spec.volumes ?? []).map((v) => v.name), ...extraVolumes]);
  const all = [...(spec.initContainers ?? []).map((c, i) => ({ c, p: `${path}.initContainers[${i}]` })), ...(spec.containers ?? []).map((c, i) => ({ c, p: `${path}.containers[${i}]` }))];
  unique(all, (x) => x.c.name, (i) => `${all[i]?.p}.name`, issues);
  (spec.initContainers ?? []).forEach((c, i) => checkContainer(c, `${path}.initContainers[${i}]`, volumes, true, issues));
  (spec.containers ?? []).forEach((c, i) => checkContainer(c, `${path}.containers[${i}]`, volumes, false, issues));
  (spec.tolerations ?? []).forEach((t, i) => {
    if (t.operator === 'Exists' && t.value) issues.invalid(`${path}.tolerations[${i}].value`, t.value, 'value must be empty when `operator` is \'Exists\'');
    if (!t.key && t.operator !== 'Exists') issues.invalid(`${path}.tolerations[${i}].operator`, t.operator ?? 'Equal', "operator must be Exists when `key` is empty");
  });
}

function checkTemplate(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec,
  path: string,
  restartPolicies: readonly string[],
  issues: Issues,
  selectorRequired = true,
  extraVolumes: readonly string[] = [],
): void {
  if (selector === undefined || selector === null) {
    // A missing required selector is already reported by the schema walk.
  } else if (selectorRequired && isEmptySelector(selector)) issues.invalid('spec.selector', selector ?? {}, 'empty selector is invalid for this kind');
  else if (!matchesSelector(selector, template.metadata?.labels ?? {})) {
    issues.invalid(`${path}.metadata.labels`, template.metadata?.labels ?? {}, '`selector` does not match template `labels`');
  }
  const rp = template.spec.restartPolicy;
  if (rp !== undefined && !restartPolicies.includes(rp)) issues.unsupported(`${path}.spec.restartPolicy`, rp, restartPolicies);
  checkPodSpec(template.spec, `${path}.spec`, issues, extraVolumes);
}

function checkService(spec: ServiceSpec, issues: Issues): void {
  const headless = spec.clusterIP === 'None';
  if (spec.clusterIP && !headless && !IPV4.test(spec.clusterIP)) issues.invalid('spec.clusterIP', spec.clusterIP, "must be empty, 'None' or a valid IPv4 address");
  if (headless && spec.type === 'NodePort') issues.invalid('spec.clusterIP', 'None', 'may not be set to \'None\' for NodePort services');
  const ports = spec.ports ?? [];
  if (!headless && ports.length === 0) issues.required('spec.ports');
  if (ports.length > 1) ports.forEach((p, i) => { if (!p.name) issues.required(`spec.ports[${i}].name`); });
  unique(ports, (p) => p.name, (i) => `spec.ports[${i}].name`, issues);
  unique(ports, (p) => `${p.port}/${p.protocol ?? 'TCP'}`, (i) => `spec.ports[${i}]`, issues);
  ports.forEach((p, i) => {
    if (p.nodePort !== undefined && p.nodePort !== null && spec.type !== 'NodePort') issues.forbidden(`spec.ports[${i}].nodePort`, 'may not be used when `type` is \'ClusterIP\'');
  });
}

/** Runs the cross-field rules of `obj`'s kind. */
export function checkKindRules(obj: KubeObject & Record<string, unknown>, issues: Issues): void {
  // Each case trusts the schema walk for shapes; `spec` is present when required.
  const spec = obj.spec as Record<string, unknown> | undefined;
  switch (obj.kind) {
    case 'Pod':
      if (spec) checkPodSpec(spec as unknown as PodSpec, 'spec', issues);
      return;
    case 'ReplicaSet':
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      if (spec?.template) {
        const claims = ((spec.volumeClaimTemplates as { metadata?: { name?: string } }[] | undefined) ?? []).map((c) => c.metadata?.name ?? '');
        checkTemplate(spec.selector as LabelSelector, spec.template as PodTemplateSpec, 'spec.template', ['Always'], issues, true, claims);
      }
      if (obj.kind === 'Deployment' && spec) {
        const strategy = spec.strategy as { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } } | undefined;
        if (strategy?.type === 'Recreate' && strategy.rollingUpdate) issues.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'");
        const ru = strategy?.rollingUpdate;
        const zero = (v: unknown): boolean => v === 0 || v === '0%';
        if (ru && zero(ru.maxSurge) && zero(ru.maxUnavailable)) issues.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
      }
      return;
    case 'Job':
      if (spec) checkJob(spec, 'spec', issues);
      return;
    case 'CronJob': {
      const jt = spec?.jobTemplate as { spec?: Record<string, unknown> } | undefined;
      if (jt?.spec) checkJob(jt.spec, 'spec.jobTemplate.spec', issues);
      return;
    }
    case 'Service':
      if (spec) checkService(spec as ServiceSpec, issues);
      return;
    case 'ConfigMap':
    case 'Secret': {
      const a = Object.keys((obj.data as object | undefined) ?? {});
      const other = obj.kind === 'ConfigMap' ? 'binaryData' : 'stringData';
      if (obj.kind === 'ConfigMap') for (const k of Object.keys((obj.binaryData as object | undefined) ?? {})) if (a.includes(k)) issues.duplicate(`${other}[${k}]`, k);
      return;
    }
  }
}

function checkJob(spec: Record<string, unknown>, path: string, issues: Issues): void {
  if (spec.template) checkTemplate(spec.selector as LabelSelector | undefined, spec.template as PodTemplateSpec, `${path}.template`, ['OnFailure', 'Never'], issues, spec.manualSelector === true);
  const rp = (spec.template as PodTemplateSpec | undefined)?.spec?.restartPolicy;
  if (spec.template && rp === undefined) issues.required(`${path}.template.spec.restartPolicy`);
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    issues.required(`${path}.completions`);
  }
}
