/**
 * The scheduler's working copy of the cluster: per-node usage computed once,
 * pods indexed by node, then updated in place as each pod of a batch is
 * assumed onto its node, so one batch never overcommits a node.
 */
import { matchesSelector, SELECTED_NODE_ANNOTATION, type Container, type LabelSelector, type Node, type Pod, type PodAffinityTerm, type Taint } from '@shoal/api';
import { DEFAULT_SCORING_CPU, DEFAULT_SCORING_MEMORY, cachedPodRequests, isTerminal, nodeAllocatable, type Allocatable, type Resources } from './resources.js';
import { claimsOf, volumeId, volumeIdsOf } from './volumes.js';
import type { ClusterView } from './types.js';

export interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

function collectHostPorts(containers: readonly Container[] | undefined, out: HostPort[]): void {
  for (const c of containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort !== undefined && p.hostPort > 0) out.push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
    }
  }
}

export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  collectHostPorts(pod.spec?.initContainers, out);
  collectHostPorts(pod.spec?.containers, out);
  return out;
}

/** The uid of the pod's controlling owner, for default spreading. */
export function controllerUid(pod: Pod): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
}

export class NodeState {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly allocatable: Allocatable;
  readonly taints: readonly Taint[];
  readonly ready: boolean;
  readonly unschedulable: boolean;
  readonly requested: Resources = { cpu: 0, memory: 0 };
  /** Requests with the non-zero defaults, for scoring only. */
  readonly scoringRequested: Resources = { cpu: 0, memory: 0 };
  readonly pods: Pod[] = [];
  /** "TCP/8080" -> host IPs in use on that port. */
  readonly ports = new Map<string, Set<string>>();
  readonly podsByOwner = new Map<string, number>();

  constructor(readonly node: Node) {
    this.name = node.metadata.name;
    this.labels = node.metadata.labels ?? {};
    this.allocatable = nodeAllocatable(node);
    this.taints = node.spec?.taints ?? [];
    this.ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    this.unschedulable = node.spec?.unschedulable === true;
  }

  add(pod: Pod, requests: Resources = cachedPodRequests(pod)): void {
    this.pods.push(pod);
    this.requested.cpu += requests.cpu;
    this.requested.memory += requests.memory;
    this.scoringRequested.cpu += requests.cpu || DEFAULT_SCORING_CPU;
    this.scoringRequested.memory += requests.memory || DEFAULT_SCORING_MEMORY;
    for (const hp of hostPortsOf(pod)) {
      const k = `${hp.protocol}/${hp.port}`;
      let ips = this.ports.get(k);
      if (!ips) this.ports.set(k, (ips = new Set()));
      ips.add(hp.ip);
    }
    const owner = controllerUid(pod);
    if (owner) this.podsByOwner.set(owner, (this.podsByOwner.get(owner) ?? 0) + 1);
  }

  /** True when `hp` collides with a host port already taken on this node. */
  portTaken(hp: HostPort): boolean {
    const ips = this.ports.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    // 0.0.0.0 on either side takes the port on every address.
    return hp.ip === '0.0.0.0' || ips.has('0.0.0.0') || ips.has(hp.ip);
  }
}

export interface PlacedPod {
  pod: Pod;
  node: NodeState;
}

/** Existing pods' required anti-affinity terms, grouped so each distinct term is checked once per newcomer. */
export interface AntiAffinityGroup {
  term: PodAffinityTerm;
  /** The namespace of the pods holding the term (the default for term.namespaces). */
  namespace: string;
  /** Values of term.topologyKey where such pods run. */
  domains: Set<string>;
}

export class ClusterState {
  /** Sorted by name: the order nodes are examined in. */
  readonly nodes: NodeState[];
  readonly byName = new Map<string, NodeState>();
  /** Volume name as nodes report it ("<namespace>/<claim>" or a Docker volume name) -> node holding it. */
  readonly volumeNode = new Map<string, string>();
  /** Every counted pod with its node. */
  readonly placed: PlacedPod[] = [];
  /** "<namespace>\0<label>\0<value>" -> pods carrying that label: selectors look here instead of scanning every pod. */
  private readonly byLabel = new Map<string, PlacedPod[]>();
  readonly antiAffinity = new Map<string, AntiAffinityGroup>();
  /** Matching-pod counts per topology domain, per (namespaces, selector, key), kept up to date by `assume`. */
  private readonly domainCountCache = new Map<string, { namespaces: readonly string[]; selector: LabelSelector; key: string; counts: Map<string, number> }>();

  /** Claim id -> whether it is being deleted; undefined when the view has no claims (not checked). */
  readonly claims: Map<string, { terminating: boolean }> | undefined;

  constructor(view: ClusterView) {
    this.nodes = view.nodes.map((n) => new NodeState(n)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const n of this.nodes) {
      this.byName.set(n.name, n);
      for (const v of volumeIdsOf(n.node)) this.volumeNode.set(v, n.name);
    }
    if (view.claims) {
      this.claims = new Map();
      for (const c of view.claims) {
        const id = volumeId(c.metadata.namespace ?? 'default', c.metadata.name);
        this.claims.set(id, { terminating: !!c.metadata.deletionTimestamp });
        // Where the claim says its volume lives wins over what nodes report.
        const node = c.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
        if (node) this.volumeNode.set(id, node);
      }
    }
    for (const pod of view.pods) {
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || isTerminal(pod)) continue;
      const node = this.byName.get(nodeName);
      if (node) this.assume(pod, node);
    }
  }

  /** Count `pod` against `node` (a bound pod, or one this batch just placed). */
  assume(pod: Pod, node: NodeState, requests?: Resources): void {
    node.add(pod, requests);
    // A claim not yet placed lives where its first pod goes; later pods of this batch follow it.
    for (const c of claimsOf(pod)) if (!this.volumeNode.has(c.id) && !this.volumeNode.has(c.docker)) this.volumeNode.set(c.id, node.name);
    const entry: PlacedPod = { pod, node };
    this.placed.push(entry);
    const ns = pod.metadata.namespace ?? 'default';
    for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
      const key = `${ns}\0${k}\0${v}`;
      let list = this.byLabel.get(key);
      if (!list) this.byLabel.set(key, (list = []));
      list.push(entry);
    }
    for (const c of this.domainCountCache.values()) {
      const value = node.labels[c.key];
      if (value !== undefined && c.namespaces.includes(ns) && matchesSelector(c.selector, pod.metadata.labels)) c.counts.set(value, (c.counts.get(value) ?? 0) + 1);
    }
    for (const term of pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const value = node.labels[term.topologyKey];
      if (value === undefined) continue;
      const gkey = `${ns}\0${JSON.stringify(term)}`;
      let g = this.antiAffinity.get(gkey);
      if (!g) this.antiAffinity.set(gkey, (g = { term, namespace: ns, domains: new Set() }));
      g.domains.add(value);
    }
  }

  /**
   * How many counted pods in `namespaces` matching `selector` run in each
   * value of node label `key` (domains without such pods are absent).
   * Computed once, then maintained as pods are assumed. Read-only for callers.
   */
  domainCounts(namespaces: readonly string[], selector: LabelSelector, key: string): ReadonlyMap<string, number> {
    const id = JSON.stringify([namespaces, selector, key]);
    let c = this.domainCountCache.get(id);
    if (!c) {
      const counts = new Map<string, number>();
      for (const { node } of this.podsMatching(namespaces, selector)) {
        const value = node.labels[key];
        if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
      }
      this.domainCountCache.set(id, (c = { namespaces: [...namespaces], selector, key, counts }));
    }
    return c.counts;
  }

  /** Counted pods in `namespaces` whose labels match `selector`. */
  podsMatching(namespaces: readonly string[], selector: LabelSelector): PlacedPod[] {
    const entries = Object.entries(selector.matchLabels ?? {});
    const out: PlacedPod[] = [];
    if (entries.length === 0) {
      for (const e of this.placed) {
        if (namespaces.includes(e.pod.metadata.namespace ?? 'default') && matchesSelector(selector, e.pod.metadata.labels)) out.push(e);
      }
      return out;
    }
    for (const ns of new Set(namespaces)) {
      // Start from the rarest label of the selector, then check the whole selector.
      let smallest: PlacedPod[] | undefined;
      for (const [k, v] of entries) {
        const list = this.byLabel.get(`${ns}\0${k}\0${v}`) ?? [];
        if (!smallest || list.length < smallest.length) smallest = list;
      }
      for (const e of smallest ?? []) if (matchesSelector(selector, e.pod.metadata.labels)) out.push(e);
    }
    return out;
  }

  /** Claims of `pod` whose volume lives on a node, with that node. */
  /** Why the pod cannot be placed at all because of its claims (missing, being deleted), or undefined. */
  claimProblem(pod: Pod): string | undefined {
    if (!this.claims) return undefined;
    for (const c of claimsOf(pod)) {
      const state = this.claims.get(c.id);
      const name = c.id.slice(c.id.indexOf('/') + 1);
      if (!state) return `persistentvolumeclaim "${name}" not found`;
      if (state.terminating) return `persistentvolumeclaim "${name}" is being deleted`;
    }
    return undefined;
  }

  pinnedClaims(pod: Pod): { claim: string; node: string }[] {
    const out: { claim: string; node: string }[] = [];
    for (const claim of claimsOf(pod)) {
      const node = this.volumeNode.get(claim.id) ?? this.volumeNode.get(claim.docker);
      if (node) out.push({ claim: claim.id, node });
    }
    return out;
  }
}
