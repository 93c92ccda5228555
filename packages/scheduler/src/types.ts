/**
 * The scheduler's inputs and outputs. The scheduler is a pure function: it
 * reads a snapshot of nodes and pods and returns bindings; the leader turns
 * bindings into `bind` actions and re-checks each one at commit time.
 */
import type { Node, PersistentVolumeClaim, Pod } from '@shoal/api';

export interface ClusterView {
  nodes: readonly Node[];
  /** Every pod, bound or not; bound pods count against their node. */
  pods: readonly Pod[];
  /**
   * Every PersistentVolumeClaim, when known: a claim's selected-node
   * annotation pins the pods using it, and a pod whose claim is missing or
   * being deleted is not placed. Undefined: claims are not checked.
   */
  claims?: readonly PersistentVolumeClaim[];
}

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

export interface SchedulerConfig {
  /** Spread (default) or bin-pack. */
  scoring: ScoringStrategy;
  /**
   * Stop looking once this share of the nodes (1-100) has been found feasible,
   * as Kubernetes' percentageOfNodesToScore does. 0 picks an adaptive share
   * (50% minus 1% per 125 nodes, at least 5%); 100 scores every node.
   * At least `minFeasibleNodesToFind` nodes are always scored.
   */
  percentageOfNodesToScore: number;
  minFeasibleNodesToFind: number;
}

export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  scoring: 'LeastAllocated',
  percentageOfNodesToScore: 0,
  minFeasibleNodesToFind: 100,
};

export interface Binding {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
}

export interface SchedulingFailure {
  namespace: string;
  name: string;
  uid: string;
  /** "0/3 nodes are available: 2 Insufficient memory, 1 node(s) were unschedulable." */
  message: string;
}

export interface ScheduleResult {
  bindings: Binding[];
  failures: SchedulingFailure[];
}
