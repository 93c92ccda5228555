import t from 'tap';
import type { RaftNodeMetrics } from '@shoal/raft';
import { DaemonMetrics } from '../src/metrics.js';

const zero: RaftNodeMetrics = {
  readies: 0, saves: 0, saveMs: 0, commitOnlySaves: 0, entriesPersisted: 0, messagesSent: 0, entriesApplied: 0, proposals: 0,
  forwards: 0, forwardedProposals: 0, snapshotPauseMs: 0, sentWhileSaving: 0, appliedWhileSaving: 0, proposeToApplyMs: 0, proposalsApplied: 0,
};

/** The value of one label-less series in the exposition text. */
async function value(m: DaemonMetrics, name: string): Promise<number | undefined> {
  const line = (await m.registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

t.test("the Raft node's counters are served as they stand at each scrape", async (t) => {
  const m = new DaemonMetrics({ node: 'n1' });
  t.equal(await value(m, 'shoal_raft_synced_saves_total'), 0, 'zero before a node is attached');
  const counters = { ...zero, saves: 12, saveMs: 1500, commitOnlySaves: 4, entriesPersisted: 300, forwardedProposals: 7, proposalsApplied: 10, proposeToApplyMs: 250 };
  m.readRaftFrom(() => counters);
  t.equal(await value(m, 'shoal_raft_synced_saves_total'), 12);
  t.equal(await value(m, 'shoal_raft_synced_save_seconds_total'), 1.5, 'milliseconds become seconds');
  t.equal(await value(m, 'shoal_raft_commit_only_saves_total'), 4);
  t.equal(await value(m, 'shoal_raft_entries_persisted_total'), 300);
  t.equal(await value(m, 'shoal_raft_forwarded_proposals_total'), 7);
  t.equal(await value(m, 'shoal_raft_propose_to_apply_seconds_total'), 0.25, 'over the 10 applied proposals: 25 ms each on average');
  t.equal(await value(m, 'shoal_raft_proposals_applied_total'), 10);
  counters.saves = 20;
  t.equal(await value(m, 'shoal_raft_synced_saves_total'), 20, 'a later scrape sees the new total, not a sum of scrapes');
  t.equal(await value(m, 'shoal_raft_synced_saves_total'), 20);
  t.match(await m.registry.metrics(), /# TYPE shoal_raft_synced_saves_total counter/);
});
