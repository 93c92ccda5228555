/**
 * A container's environment from its pod spec, in Kubernetes order: service
 * links first, then `envFrom`, then `env` (later names win). Values may refer
 * to earlier variables as `$(NAME)`; `$$` escapes a literal `$`.
 */
import type { Container, EnvVar, Pod } from '@shoal/api';
import { ContainerConfigError } from '../errors.js';
import { cpuMillis, memoryBytes } from '../quantity.js';

/** Reads ConfigMap and Secret data (secrets already base64-decoded). */
export interface ConfigResolver {
  configMap(namespace: string, name: string): Record<string, string> | undefined;
  secret(namespace: string, name: string): Record<string, string> | undefined;
}

export interface EnvContext {
  nodeName: string;
  podIP?: string;
  hostIP?: string;
  /** Service link variables (from the network package), already filtered by enableServiceLinks. */
  serviceEnv: EnvVar[];
  resolver: ConfigResolver;
}

/** Replaces `$(NAME)` with values defined so far; unknown references stay as written. */
export function expandVars(value: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '$' && value[i + 1] === '$') {
      out += '$';
      i++;
    } else if (c === '$' && value[i + 1] === '(') {
      const end = value.indexOf(')', i + 2);
      const name = end < 0 ? undefined : value.slice(i + 2, end);
      const v = name === undefined ? undefined : vars.get(name);
      if (name !== undefined && v !== undefined) {
        out += v;
        i = end;
      } else {
        out += c;
      }
    } else {
      out += c;
    }
  }
  return out;
}

function fieldRef(pod: Pod, path: string, ctx: EnvContext): string {
  const m = pod.metadata;
  switch (path) {
    case 'metadata.name': return m.name;
    case 'metadata.namespace': return m.namespace ?? 'default';
    case 'metadata.uid': return m.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? ctx.nodeName;
    case 'spec.serviceAccountName': return 'default';
    case 'status.podIP': return ctx.podIP ?? '';
    case 'status.hostIP': return ctx.hostIP ?? '';
  }
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label?.[1] !== undefined) return m.labels?.[label[1]] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann?.[1] !== undefined) return m.annotations?.[ann[1]] ?? '';
  throw new ContainerConfigError(`unsupported fieldRef.fieldPath "${path}"`);
}

function resourceField(pod: Pod, self: Container, ref: { resource: string; containerName?: string; divisor?: string | number }): string {
  const c = ref.containerName ? (pod.spec?.containers ?? []).find((x) => x.name === ref.containerName) : self;
  if (!c) throw new ContainerConfigError(`resourceFieldRef names unknown container ${ref.containerName ?? ''}`);
  const [kind, res] = ref.resource.split('.') as [string, string | undefined];
  const q = res === undefined ? undefined : c.resources?.[kind === 'limits' ? 'limits' : 'requests']?.[res];
  if (q === undefined) return '0';
  if (res === 'cpu') {
    const div = ref.divisor === undefined ? 1000 : cpuMillis(ref.divisor);
    return String(Math.ceil(cpuMillis(q) / div));
  }
  const div = ref.divisor === undefined ? 1 : memoryBytes(ref.divisor);
  return String(Math.ceil(memoryBytes(q) / div));
}

function keyRef(kind: 'ConfigMap' | 'Secret', data: Record<string, string> | undefined, sel: { name: string; key: string; optional?: boolean }, env: string): string | undefined {
  const v = data?.[sel.key];
  if (v === undefined && !sel.optional) {
    throw new ContainerConfigError(`env ${env}: ${kind} ${sel.name} has no key ${sel.key}${data ? '' : ` (${kind} not found)`}`);
  }
  return v;
}

/** NAME=value pairs for the container, in order. Throws ContainerConfigError for a missing required key. */
export function containerEnv(pod: Pod, container: Container, ctx: EnvContext): string[] {
  const ns = pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  const set = (k: string, v: string) => {
    vars.delete(k); // keep the order of the last definition
    vars.set(k, v);
  };
  if (pod.spec?.enableServiceLinks !== false) for (const e of ctx.serviceEnv) set(e.name, e.value ?? '');
  for (const src of container.envFrom ?? []) {
    const ref = src.configMapRef ?? src.secretRef;
    if (!ref) continue;
    const data = src.configMapRef ? ctx.resolver.configMap(ns, ref.name) : ctx.resolver.secret(ns, ref.name);
    if (!data && !ref.optional) throw new ContainerConfigError(`envFrom: ${src.configMapRef ? 'ConfigMap' : 'Secret'} ${ref.name} not found`);
    for (const [k, v] of Object.entries(data ?? {})) set(`${src.prefix ?? ''}${k}`, v);
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    let v: string | undefined;
    if (!from) v = expandVars(e.value ?? '', vars);
    else if (from.fieldRef) v = fieldRef(pod, from.fieldRef.fieldPath, ctx);
    else if (from.resourceFieldRef) v = resourceField(pod, container, from.resourceFieldRef);
    else if (from.configMapKeyRef) v = keyRef('ConfigMap', ctx.resolver.configMap(ns, from.configMapKeyRef.name), from.configMapKeyRef, e.name);
    else if (from.secretKeyRef) v = keyRef('Secret', ctx.resolver.secret(ns, from.secretKeyRef.name), from.secretKeyRef, e.name);
    if (v !== undefined) set(e.name, v);
  }
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

/** The env as a map, for expanding `$(VAR)` in command and args. */
export function envMap(env: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of env) {
    const i = kv.indexOf('=');
    m.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return m;
}
