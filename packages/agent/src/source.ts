/**
 * What the agent reads and where it reports. The daemon passes a store-backed
 * source and a sink that proposes status commands; tests and the bench use
 * `MemoryAgentSource` / `MemoryAgentSink` (memory-source.ts).
 */
import type { EnvVar, NodeStatus, ObjectReader, Pod, PodStatus } from '@shoal/api';
import type { DnsConfig } from '@shoal/runtime';

/** The cluster as the agent sees it: pods, ConfigMaps and Secrets, with change notifications. */
export interface AgentSource extends ObjectReader {
  /** Calls `cb` after any change that may concern this node; returns an unsubscribe function. */
  onChange(cb: () => void): () => void;
}

export interface PodStatusUpdate {
  namespace: string;
  name: string;
  /** The pod the status belongs to; a recreated pod of the same name has another uid. */
  uid: string;
  status: PodStatus;
}

export interface AgentSink {
  /** Statuses of several pods at once (one log command). */
  updatePodStatus(batch: PodStatusUpdate[]): Promise<void>;
  /** Final removal of a pod whose deletion started and whose containers have all stopped. */
  deletePod(namespace: string, name: string, uid: string): Promise<void>;
  updateNodeStatus(status: NodeStatus): Promise<void>;
}

/** What the daemon adds to each pod from other packages. */
export interface AgentHooks {
  /** Service link variables (`<SVC>_SERVICE_HOST`...) for the pod's namespace. */
  serviceEnv?(pod: Pod): EnvVar[];
  /** The pod's resolver configuration (cluster DNS). Undefined: the engine's default. */
  dns?(pod: Pod): DnsConfig | undefined;
}
