/**
 * One randomized simulation run per seed: a 3- or 5-node cluster under a
 * random workload (writes, compare-and-swaps, reads) and random faults
 * (lossy, duplicating, reordering network; partitions both ways; crashes
 * and restarts; leader transfers; membership changes; snapshots). Safety is
 * checked after every step; at the end the cluster must heal and converge.
 */
import { ConfChangeType, type NodeId } from '../types.js';
import { SafetyViolationError } from './checker.js';
import { SimCluster } from './cluster.js';
import { SeededRand } from './prng.js';

export interface RunOptions {
  /** Steps of chaos before healing. */
  steps?: number;
  trace?: (line: string) => void;
}

export interface RunResult {
  seed: number;
  ok: boolean;
  error?: string;
  nodes: number;
  acked: number;
  reads: number;
  steps: number;
  /** Highest term reached (elections held). */
  maxTerm: number;
  snapshotsDelivered: number;
  confChangesApplied: number;
  crashes: number;
}

const KEYS = ['a', 'b', 'c'];

export function runSeed(seed: number, opts: RunOptions = {}): RunResult {
  const setup = new SeededRand(seed ^ 0x5eed);
  const five = setup.chance(0.5);
  const withSpares = five && setup.chance(0.5);
  const all = five ? ['n1', 'n2', 'n3', 'n4', 'n5'] : ['n1', 'n2', 'n3'];
  const voters = withSpares ? all.slice(0, 3) : all;
  const spares = withSpares ? all.slice(3) : [];
  const snapshotEvery = setup.pick([0, 8, 20]);
  const preVote = setup.chance(0.8);
  const checkQuorum = setup.chance(0.8);
  // Small messages (one entry each) and small windows make interleavings
  // like the paper's Figure 8 far more likely.
  const maxSizePerMsg = setup.pick([64, 4096]);
  const maxInflightMsgs = setup.pick([2, 16]);
  const cluster = new SimCluster({
    voters,
    spares,
    seed,
    node: { snapshotEvery, compactKeep: setup.pick([0, 3]), preVote, checkQuorum, maxSizePerMsg, maxInflightMsgs },
    ...(opts.trace !== undefined ? { trace: opts.trace } : {}),
  });
  const rand = cluster.rand;
  const steps = opts.steps ?? 1500;
  cluster.log(`seed ${seed}: voters=${voters.join(',')} spares=${spares.join(',')} snapshotEvery=${snapshotEvery} preVote=${preVote} checkQuorum=${checkQuorum} maxSizePerMsg=${maxSizePerMsg} maxInflightMsgs=${maxInflightMsgs}`);
  const result: RunResult = { seed, ok: true, nodes: all.length, acked: 0, reads: 0, steps: 0, maxTerm: 0, snapshotsDelivered: 0, confChangesApplied: 0, crashes: 0 };
  try {
    for (let i = 0; i < steps; i++) {
      if (rand.chance(0.02)) fault(cluster, rand, all);
      if (rand.chance(0.25)) client(cluster, rand, all);
      cluster.step();
    }
    const err = cluster.settle(6000);
    if (err !== undefined) {
      result.ok = false;
      result.error = `liveness: ${err}`;
    }
  } catch (err) {
    result.ok = false;
    result.error = err instanceof SafetyViolationError ? err.message : `crash: ${(err as Error).stack ?? String(err)}`;
  }
  result.acked = cluster.checker.acked.size;
  result.reads = cluster.checker.reads;
  result.steps = cluster.now;
  result.maxTerm = Math.max(...all.map((id) => cluster.node(id).term));
  result.snapshotsDelivered = cluster.stats.snapshotsDelivered;
  result.confChangesApplied = cluster.stats.confChangesApplied;
  result.crashes = cluster.stats.crashes;
  if (!result.ok) cluster.log(`FAILED: ${result.error}`);
  return result;
}

function client(c: SimCluster, rand: SeededRand, all: NodeId[]): void {
  const live = all.filter((id) => c.node(id).alive);
  if (live.length === 0) return;
  const node = rand.pick(live);
  const key = rand.pick(KEYS);
  const p = rand.next();
  if (p < 0.55) c.put(node, key, `v${c.now}`);
  else if (p < 0.75) {
    const cur = c.node(node).kv.get(key)?.value ?? '';
    c.cas(node, key, cur, `cas${c.now}`);
  } else c.read(node, key);
}

function fault(c: SimCluster, rand: SeededRand, all: NodeId[]): void {
  const p = rand.next();
  if (p < 0.15) {
    const side = all.filter(() => rand.chance(0.5));
    c.net.heal();
    c.net.partition(side, all);
    c.log(`partition [${side.join(',')}] | rest`);
  } else if (p < 0.25) {
    const a = rand.pick(all);
    const b = rand.pick(all);
    if (a !== b) {
      c.net.cutOneWay(a, b);
      c.log(`cut one way ${a} -> ${b}`);
    }
  } else if (p < 0.32) {
    const a = rand.pick(all);
    c.net.isolate(a, all);
    c.log(`isolate ${a}`);
  } else if (p < 0.45) {
    c.net.heal();
    c.log('heal network');
  } else if (p < 0.57) {
    const live = all.filter((id) => c.node(id).alive);
    // Prefer crashing the leader sometimes: it exercises failover.
    const l = c.leader();
    const victim = l !== undefined && rand.chance(0.4) ? l.id : rand.pick(all);
    if (live.includes(victim)) c.crash(victim);
  } else if (p < 0.7) {
    for (const id of all) if (!c.node(id).alive) c.restart(id);
  } else if (p < 0.8) {
    const lossy = rand.chance(0.5);
    c.net.faults = lossy
      ? { drop: 0.1, duplicate: 0.05, minDelay: 1, maxDelay: 8, longDelay: 0.05, longDelayMax: 60 }
      : { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 2, longDelay: 0, longDelayMax: 0 };
    c.log(`network ${lossy ? 'unreliable' : 'reliable'}`);
  } else if (p < 0.87) {
    const l = c.leader();
    if (l !== undefined) {
      const to = rand.pick(l.conf.voters);
      l.raw!.transferLeadership(to);
      c.log(`transfer leadership ${l.id} -> ${to}`);
    }
  } else {
    membership(c, rand, all);
  }
}

function membership(c: SimCluster, rand: SeededRand, all: NodeId[]): void {
  const l = c.leader();
  if (l === undefined) return;
  const conf = l.conf;
  const outside = all.filter((id) => !conf.voters.includes(id) && !conf.learners.includes(id));
  const p = rand.next();
  if (conf.learners.length > 0 && p < 0.4) {
    c.proposeConfChange(l.id, ConfChangeType.PromoteLearner, rand.pick(conf.learners));
  } else if (outside.length > 0 && p < 0.8) {
    c.proposeConfChange(l.id, ConfChangeType.AddLearner, rand.pick(outside));
  } else if (conf.voters.length > 3) {
    c.proposeConfChange(l.id, ConfChangeType.RemoveNode, rand.pick(conf.voters));
  }
}
