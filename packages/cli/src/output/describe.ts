/**
 * `describe` text: the object's identity, the fields people look for per
 * kind, then its recent Events, in kubectl's layout.
 */
import type { Condition, Container, ContainerStatus, Deployment, Event, Job, KubeObject, Node, Pod, PodTemplateSpec, Service } from '@shoal/api';
import { formatSelector } from '@shoal/api';
import { age } from './age.js';
import { jobStatus, podStatus } from './columns.js';
import { Table } from './table.js';
import { yamlText } from './print.js';

type Line = [label: string, value: string] | string;

function mapText(m: Record<string, string> | undefined, indent: string): string {
  const entries = Object.entries(m ?? {});
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v], i) => `${i === 0 ? '' : indent}${k}=${v}`).join('\n');
}

/** Top-level labels share one width, so every section of a description lines up. */
const TOP_WIDTH = 20;

function fields(lines: readonly Line[], indent = ''): string {
  const labelled = lines.filter((l): l is [string, string] => typeof l !== 'string');
  const width = Math.max(indent ? 0 : TOP_WIDTH, ...labelled.map(([k]) => k.length + 3));
  return lines.map((l) => {
    if (typeof l === 'string') return `${indent}${l}\n`;
    const [k, v] = l;
    const pad = `${indent}${' '.repeat(width)}`;
    return `${indent}${`${k}:`.padEnd(width)}${v.split('\n').join(`\n${pad}`)}\n`;
  }).join('');
}

function conditions(conds: readonly Condition[] | undefined): string {
  if (!conds || conds.length === 0) return '';
  const t = new Table(['Type', 'Status', 'Reason']);
  const rows = conds.map((c) => [c.type, c.status, c.reason ?? '']);
  return 'Conditions:\n' + t.render(rows).split('\n').filter(Boolean).map((l) => `  ${l}\n`).join('');
}

function stateText(s: ContainerStatus | undefined): Line[] {
  if (!s) return [['State', 'Waiting'], ['Ready', 'False']];
  const st = s.state;
  const out: Line[] = [];
  if (st.running) out.push(['State', 'Running'], ['  Started', st.running.startedAt ?? '']);
  else if (st.terminated) out.push(['State', 'Terminated'], ['  Reason', st.terminated.reason ?? ''], ['  Exit Code', String(st.terminated.exitCode)]);
  else out.push(['State', 'Waiting'], ['  Reason', st.waiting?.reason ?? '']);
  const last = s.lastState?.terminated;
  if (last) out.push(['Last State', 'Terminated'], ['  Reason', last.reason ?? ''], ['  Exit Code', String(last.exitCode)]);
  out.push(['Ready', s.ready ? 'True' : 'False'], ['Restart Count', String(s.restartCount)]);
  return out;
}

function containerLines(c: Container, status: ContainerStatus | undefined): string {
  const lines: Line[] = [['Image', c.image]];
  if (c.command) lines.push(['Command', c.command.join(' ')]);
  if (c.args) lines.push(['Args', c.args.join(' ')]);
  if (c.ports?.length) lines.push(['Ports', c.ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ')]);
  if (status) lines.push(...stateText(status));
  const limits = Object.entries(c.resources?.limits ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ');
  const requests = Object.entries(c.resources?.requests ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ');
  if (limits) lines.push(['Limits', limits]);
  if (requests) lines.push(['Requests', requests]);
  if (c.env?.length) lines.push(['Environment', c.env.map((e) => `${e.name}=${e.value ?? '(from source)'}`).join('\n')]);
  return `  ${c.name}:\n` + fields(lines, '    ');
}

function templateText(t: PodTemplateSpec | undefined): string {
  if (!t) return '';
  return 'Pod Template:\n' + fields([['Labels', mapText(t.metadata?.labels, '')]], '  ') + '  Containers:\n' + t.spec.containers.map((c) => containerLines(c, undefined).replace(/^(?=.)/gm, '  ')).join('');
}

function body(obj: KubeObject): string {
  switch (obj.kind) {
    case 'Pod': {
      const p = obj as Pod;
      const head = fields([
        ['Node', p.spec?.nodeName ?? '<none>'],
        ['Start Time', p.status?.startTime ?? '<unset>'],
        ['Status', podStatus(p)],
        ['IP', p.status?.podIP ?? '<none>'],
      ]);
      const statuses = p.status?.containerStatuses ?? [];
      const inits = p.spec?.initContainers ?? [];
      const initText = inits.length ? 'Init Containers:\n' + inits.map((c) => containerLines(c, p.status?.initContainerStatuses?.find((s) => s.name === c.name))).join('') : '';
      const cont = 'Containers:\n' + (p.spec?.containers ?? []).map((c) => containerLines(c, statuses.find((s) => s.name === c.name))).join('');
      return head + initText + cont + conditions(p.status?.conditions);
    }
    case 'Deployment': {
      const d = obj as Deployment;
      const s = d.status ?? {};
      return fields([
        ['Selector', formatSelector(d.spec?.selector) || '<none>'],
        ['Replicas', `${d.spec?.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`],
        ['StrategyType', d.spec?.strategy?.type ?? 'RollingUpdate'],
        ['MinReadySeconds', String(d.spec?.minReadySeconds ?? 0)],
        ...(d.spec?.paused ? [['Paused', 'true'] as Line] : []),
      ]) + templateText(d.spec?.template) + conditions(s.conditions);
    }
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet': {
      const spec = obj.spec as { replicas?: number; selector?: Parameters<typeof formatSelector>[0]; template?: PodTemplateSpec } | undefined;
      const st = obj.status as { replicas?: number; readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number; conditions?: Condition[] } | undefined;
      const replicas = obj.kind === 'DaemonSet'
        ? `${st?.desiredNumberScheduled ?? 0} desired | ${st?.numberReady ?? 0} ready`
        : `${st?.replicas ?? 0} current / ${spec?.replicas ?? 1} desired | ${st?.readyReplicas ?? 0} ready`;
      return fields([['Selector', formatSelector(spec?.selector) || '<none>'], ['Replicas', replicas]]) + templateText(spec?.template) + conditions(st?.conditions);
    }
    case 'Job': {
      const j = obj as Job;
      const s = j.status ?? {};
      return fields([
        ['Status', jobStatus(j)],
        ['Parallelism', String(j.spec?.parallelism ?? 1)],
        ['Completions', String(j.spec?.completions ?? 1)],
        ['Completion Mode', j.spec?.completionMode ?? 'NonIndexed'],
        ['Start Time', s.startTime ?? '<unset>'],
        ...(s.completionTime ? [['Completed At', s.completionTime] as Line] : []),
        ['Pods Statuses', `${s.active ?? 0} Active / ${s.succeeded ?? 0} Succeeded / ${s.failed ?? 0} Failed`],
        ...(s.completedIndexes ? [['Completed Indexes', s.completedIndexes] as Line] : []),
      ]) + templateText(j.spec?.template) + conditions(s.conditions);
    }
    case 'Service': {
      const s = obj as Service;
      return fields([
        ['Selector', mapText(s.spec?.selector, '') .replace(/\n/g, ',')],
        ['Type', s.spec?.type ?? 'ClusterIP'],
        ['IP', s.spec?.clusterIP ?? '<none>'],
        ['Port', (s.spec?.ports ?? []).map((p) => `${p.name ?? '<unset>'} ${p.port}/${p.protocol ?? 'TCP'} -> ${p.targetPort ?? p.port}`).join('\n') || '<none>'],
      ]);
    }
    case 'Node': {
      const n = obj as Node;
      return fields([
        ['Unschedulable', String(n.spec?.unschedulable ?? false)],
        ['Taints', (n.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join('\n') || '<none>'],
        ['Addresses', (n.status?.addresses ?? []).map((a) => `${a.type}: ${a.address}`).join('\n') || '<none>'],
        ['Capacity', Object.entries(n.status?.capacity ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n') || '<none>'],
        ['Allocatable', Object.entries(n.status?.allocatable ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n') || '<none>'],
      ]) + conditions(n.status?.conditions);
    }
    default: {
      // Other kinds: their content as YAML, indented.
      const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
      if (Object.keys(rest).length === 0) return '';
      return yamlText(rest);
    }
  }
}

export function eventsText(events: readonly Event[], now: Date): string {
  if (events.length === 0) return 'Events:  <none>\n';
  const t = new Table(['Type', 'Reason', 'Age', 'From', 'Message']);
  const rows = [['----', '------', '----', '----', '-------'], ...events.map((e) => [
    e.type,
    e.reason,
    age(e.lastTimestamp ?? e.firstTimestamp ?? e.metadata.creationTimestamp, now) + (e.count && e.count > 1 ? ` (x${e.count})` : ''),
    e.source?.component ?? e.reportingComponent ?? '',
    e.message,
  ])];
  return 'Events:\n' + t.render(rows).split('\n').filter(Boolean).map((l) => `  ${l}\n`).join('');
}

export function describeText(obj: KubeObject, events: readonly Event[], now: Date): string {
  const m = obj.metadata;
  const head: Line[] = [['Name', m.name]];
  if (m.namespace) head.push(['Namespace', m.namespace]);
  head.push(['Labels', mapText(m.labels, '')], ['Annotations', mapText(m.annotations, '')], ['CreationTimestamp', m.creationTimestamp ?? '<unknown>']);
  if (m.deletionTimestamp) head.push(['DeletionTimestamp', m.deletionTimestamp]);
  // What still holds an object back (a claim in use, a Job counting its pod).
  if (m.finalizers?.length) head.push(['Finalizers', `[${m.finalizers.join(' ')}]`]);
  const owner = m.ownerReferences?.find((r) => r.controller) ?? m.ownerReferences?.[0];
  if (owner) head.push(['Controlled By', `${owner.kind}/${owner.name}`]);
  return fields(head) + body(obj) + eventsText(events, now);
}
