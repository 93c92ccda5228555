/** A scheduling harness: fake nodes and pods, no cluster. */
import type { Node, PersistentVolumeClaim, Pod, PodSpec, Taint } from '@shoal/api';
import { schedule, type ClusterView, type ScheduleResult, type SchedulerConfig } from '../src/index.js';

export interface FakeNodeOpts {
  cpu?: string | number;
  memory?: string | number;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: boolean;
  volumes?: string[];
}

export function fakeNode(name: string, o: FakeNodeOpts = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? 110 },
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      volumes: o.volumes,
    },
  };
}

export interface FakePodOpts {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  namespace?: string;
  hostPort?: number;
  owner?: string;
  spec?: Partial<PodSpec>;
  annotations?: Record<string, string>;
}

export function fakePod(name: string, o: FakePodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      annotations: o.annotations,
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] : undefined,
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests }, ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort }] : undefined }],
      nodeName: o.nodeName,
      ...(o.spec ?? {}),
    },
  };
}

/** Holds a cluster view, schedules into it and applies the bindings, like Nomad's test Harness. */
export class Harness {
  nodes: Node[] = [];
  pods: Pod[] = [];
  /** Undefined: claims are not checked (as a caller that passes none). */
  claims: PersistentVolumeClaim[] | undefined;
  results: ScheduleResult[] = [];

  constructor(readonly config: Partial<SchedulerConfig> = {}) {}

  get view(): ClusterView {
    return { nodes: this.nodes, pods: this.pods, ...(this.claims ? { claims: this.claims } : {}) };
  }

  addNode(n: Node): this {
    this.nodes.push(n);
    return this;
  }

  addClaim(name: string, o: { node?: string; terminating?: boolean } = {}): this {
    (this.claims ??= []).push({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: {
        name, namespace: 'default', uid: `claim-${name}`,
        ...(o.node ? { annotations: { 'volume.kubernetes.io/selected-node': o.node } } : {}),
        ...(o.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      },
      spec: {},
    });
    return this;
  }

  addPod(p: Pod): this {
    this.pods.push(p);
    return this;
  }

  /** Schedule every unbound pod, bind the placements into the view, return the result. */
  run(): ScheduleResult {
    const pending = this.pods.filter((p) => !p.spec?.nodeName);
    const r = schedule(this.view, pending, this.config);
    const byUid = new Map(r.bindings.map((b) => [b.uid, b.nodeName]));
    this.pods = this.pods.map((p) => {
      const node = byUid.get(p.metadata.uid ?? '');
      return node ? { ...p, spec: { ...p.spec!, nodeName: node } } : p;
    });
    this.results.push(r);
    return r;
  }

  podsOn(node: string): Pod[] {
    return this.pods.filter((p) => p.spec?.nodeName === node);
  }

  placement(): Record<string, string | undefined> {
    return Object.fromEntries(this.pods.map((p) => [p.metadata.name, p.spec?.nodeName]));
  }
}
