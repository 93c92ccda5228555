/** What the API services need from the node, passed in as one components object. */
import type { Logger } from '@shoal/log';
import type { ObjectStore } from '@shoal/state';
import type { ClusterWriter } from '../cluster-writer.js';
import type { DaemonMetrics } from '../metrics.js';

export interface ApiContext {
  store: ObjectStore;
  writer: ClusterWriter;
  /** Wait until this node's state reflects every write committed before the call (ReadIndex). */
  readBarrier(): Promise<void>;
  /** The leader's API address, when known. */
  leaderApiAddress(): string | undefined;
  metrics: DaemonMetrics;
  log: Logger;
  /** How often idle watchers get a bookmark. */
  bookmarkIntervalMs: number;
}
