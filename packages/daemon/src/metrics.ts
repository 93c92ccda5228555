/**
 * Prometheus metrics for one daemon, served on /metrics. A registry per
 * daemon (not the global one) so several daemons can share a test process.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RaftNodeMetrics } from '@shoal/raft';

/** The Raft node's own counters served as Prometheus counters: name, help, and the value in them. */
const RAFT_COUNTERS: ReadonlyArray<readonly [string, string, (m: RaftNodeMetrics) => number]> = [
  ['shoal_raft_readies_total', 'Ready batches the Raft node handled', (m) => m.readies],
  ['shoal_raft_synced_saves_total', 'Batches written to the Raft log store with an fsync (group commit: many entries each)', (m) => m.saves],
  ['shoal_raft_synced_save_seconds_total', 'Time spent waiting for synced batches', (m) => m.saveMs / 1000],
  ['shoal_raft_commit_only_saves_total', 'Batches that only moved the commit index, written without an fsync', (m) => m.commitOnlySaves],
  ['shoal_raft_entries_persisted_total', 'Log entries written to the Raft log store', (m) => m.entriesPersisted],
  ['shoal_raft_entries_applied_total', 'Committed entries applied to the object store', (m) => m.entriesApplied],
  ['shoal_raft_messages_sent_total', 'Raft messages handed to the peer transport', (m) => m.messagesSent],
  ['shoal_raft_messages_sent_while_saving_total', 'Raft messages sent while a batch was being synced', (m) => m.sentWhileSaving],
  ['shoal_raft_forwarded_proposals_total', 'Proposals this node forwarded to the leader', (m) => m.forwardedProposals],
  ['shoal_raft_proposals_applied_total', "This node's proposals that were applied", (m) => m.proposalsApplied],
  ['shoal_raft_propose_to_apply_seconds_total', "Time from proposing to applying, summed over this node's applied proposals", (m) => m.proposeToApplyMs / 1000],
  ['shoal_raft_snapshot_pause_seconds_total', 'Time a paced snapshot left the event loop to other work', (m) => m.snapshotPauseMs / 1000],
];

export class DaemonMetrics {
  readonly registry = new Registry();
  readonly raftTerm = new Gauge({ name: 'shoal_raft_term', help: 'Current Raft term', registers: [this.registry] });
  readonly raftCommit = new Gauge({ name: 'shoal_raft_commit_index', help: 'Raft commit index', registers: [this.registry] });
  readonly raftApplied = new Gauge({ name: 'shoal_raft_applied_index', help: 'Index of the last applied entry', registers: [this.registry] });
  readonly raftIsLeader = new Gauge({ name: 'shoal_raft_is_leader', help: '1 when this node leads', registers: [this.registry] });
  readonly proposals = new Counter({ name: 'shoal_proposals_total', help: 'Proposals by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly grpcLatency = new Histogram({
    name: 'shoal_grpc_request_seconds',
    help: 'Client API latency by method and gRPC code',
    labelNames: ['method', 'code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly watchers = new Gauge({ name: 'shoal_watchers', help: 'Open watch streams', registers: [this.registry] });
  readonly storeRevision = new Gauge({ name: 'shoal_store_revision', help: 'Object store revision', registers: [this.registry] });
  readonly members = new Gauge({ name: 'shoal_gossip_members', help: 'Gossip members by state', labelNames: ['state'] as const, registers: [this.registry] });
  readonly pods = new Gauge({ name: 'shoal_agent_pods', help: 'Pods bound to this node', registers: [this.registry] });

  private server?: Server;
  private raftSource?: () => RaftNodeMetrics;

  /** Serves the Raft node's counters (read at each scrape) from now on. */
  readRaftFrom(source: () => RaftNodeMetrics): void {
    this.raftSource = source;
  }

  constructor(labels: Record<string, string>) {
    this.registry.setDefaultLabels(labels);
    const source = (): RaftNodeMetrics | undefined => this.raftSource?.();
    for (const [name, help, pick] of RAFT_COUNTERS) {
      new Counter({
        name,
        help,
        registers: [this.registry],
        // The node keeps the running total; a scrape copies it.
        collect(this: Counter) {
          const m = source();
          if (!m) return;
          this.reset();
          this.inc(pick(m));
        },
      });
    }
    collectDefaultMetrics({ register: this.registry, prefix: 'shoal_process_' });
  }

  /** Serve /metrics on host:port (port 0 disables). Resolves once listening. */
  async listen(host: string, port: number): Promise<void> {
    if (port === 0) return;
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end('not found; try /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
