import t, { type Test } from 'tap';
import { MemoryLogStore, MemoryNetwork, NoLeaderError, RaftNode, RaftTimeoutError, StoppedError, ConfChangeType } from '../../src/index.js';
import type { PersistBatch } from '../../src/node/log-store.js';
import { Cluster, KvMachine, put, until, type Member } from './harness.js';

t.test('three nodes elect a leader and agree on proposals from any node', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  const follower = [...c.members.values()].find((m) => m.id !== leader.id)!;
  const r1 = await leader.node.propose(put('x', '1'));
  const r2 = await follower.node.propose(put('x', '2'));
  t.equal(r1.result, undefined);
  t.equal(r2.result, '1', 'the follower gets its own apply result');
  t.ok(r2.index > r1.index);
  await until(() => [...c.members.values()].every((m) => m.sm.data.get('x') === '2'), 'all apply');
  const seqs = [...c.members.values()].map((m) => m.sm.appliedIndexes.join(','));
  t.equal(new Set(seqs).size, 1, 'same entries at the same indexes everywhere');
});

t.test('concurrent proposals share fsyncs (group commit)', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  const before = leader.store.saves;
  const n = 200;
  const results = await Promise.all(Array.from({ length: n }, (_, i) => leader.node.propose(put(`k${i}`, 'v'))));
  t.equal(new Set(results.map((r) => r.index)).size, n, 'every proposal got its own index');
  const saves = leader.store.saves - before;
  t.ok(saves < n / 2, `${n} proposals took ${saves} synced saves on the leader`);
});

t.test("a follower forwards one event-loop turn's proposals as one message", async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  const follower = [...c.members.values()].find((m) => m.id !== leader.id)!;
  const before = follower.node.metrics();
  const n = 50;
  // One proposal per microtask, all in one turn, as gRPC handlers run.
  const pending = [];
  for (let i = 0; i < n; i++) {
    pending.push(follower.node.propose(put(`f${i}`, 'v')));
    await Promise.resolve();
  }
  const results = await Promise.all(pending);
  t.equal(new Set(results.map((r) => r.index)).size, n);
  const after = follower.node.metrics();
  t.equal(after.forwardedProposals - before.forwardedProposals, n);
  t.equal(after.forwards - before.forwards, 1, 'one Prop message');
});

t.test('after the leader is killed the others elect a new one and keep committing', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const old = await c.waitLeader();
  await old.node.propose(put('before', '1'));
  await c.stop(old.id);
  const next = await c.waitLeader();
  t.not(next.id, old.id);
  const other = [...c.members.values()].find((m) => m.id !== next.id)!;
  await other.node.propose(put('after', '2'));
  t.equal(next.sm.data.get('before'), '1', 'committed data survives');
  await until(() => next.sm.data.get('after') === '2', 'apply on the leader');
});

t.test('a restarted node recovers its log from the store and catches up', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  await c.waitLeader();
  const victim = [...c.members.values()].find((m) => m !== c.leader())!;
  for (let i = 0; i < 20; i++) await c.leader()!.node.propose(put(`k${i}`, `${i}`));
  await until(() => victim.sm.data.size === 20, 'victim caught up');
  await c.stop(victim.id);
  await c.leader()!.node.propose(put('while-down', 'x'));
  const back = await c.start(victim.id);
  await until(() => back.sm.data.get('while-down') === 'x' && back.sm.data.get('k19') === '19', 'replay and catch up');
  t.equal(back.sm.data.size, 21);
});

t.test('a lagging node is sent a snapshot and restores it', async (t) => {
  const c = new Cluster(['a', 'b', 'c'], { snapshotEntries: 30, snapshotCatchUpEntries: 5 });
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  const lagging = [...c.members.values()].find((m) => m.id !== leader.id)!;
  c.net.isolate(lagging.id);
  for (let i = 0; i < 80; i++) await leader.node.propose(put(`k${i}`, `${i}`));
  t.ok(leader.node.status().snapshotIndex >= 30, 'the leader compacted its log');
  c.net.heal(lagging.id);
  await until(() => lagging.sm.data.get('k79') === '79', 'lagging node caught up', 8000);
  t.ok(lagging.sm.restores >= 1, 'the state came by snapshot');
  t.equal(lagging.sm.data.size, 80);
  t.ok(lagging.node.status().snapshotIndex >= 30);
});

t.test('a restart after compaction restores the snapshot then replays', async (t) => {
  const c = new Cluster(['a', 'b', 'c'], { snapshotEntries: 10, snapshotCatchUpEntries: 2 });
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  for (let i = 0; i < 25; i++) await leader.node.propose(put(`k${i}`, `${i}`));
  const id = [...c.members.values()].find((m) => m.id !== leader.id)!.id;
  await until(() => c.members.get(id)!.sm.data.size === 25, 'follower applied');
  await c.stop(id);
  const back = await c.start(id);
  t.equal(back.sm.restores, 1, 'restored from the stored snapshot');
  await until(() => back.sm.data.size === 25, 'replayed the tail');
});

t.test('readBarrier works on followers and sees earlier writes', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  await leader.node.propose(put('r', '1'));
  for (const m of c.members.values()) {
    await m.node.readBarrier();
    t.equal(m.sm.data.get('r'), '1', `${m.id} reads its own cluster's write`);
  }
});

t.test('a lone node without quorum refuses or times out; stop rejects waiters', async (t) => {
  const net = new MemoryNetwork();
  const node = new RaftNode({ id: 'a', peers: ['a', 'b', 'c'], logStore: new MemoryLogStore(), transport: net.join('a'), stateMachine: new KvMachine(), tickMs: 10, heartbeatMs: 20, electionMs: 100 });
  await t.rejects(node.propose(put('x', '1')), StoppedError, 'before start');
  await node.start();
  await t.rejects(node.propose(put('x', '1')), NoLeaderError);
  await t.rejects(node.readBarrier(), NoLeaderError);
  await t.rejects(node.proposeConfChange({ type: ConfChangeType.AddLearner, node: 'd' }, { timeoutMs: 50 }), Error);
  const pending = node.transferLeadership('b', { timeoutMs: 100 });
  await t.rejects(pending, RaftTimeoutError);
  await node.stop();
  await t.rejects(node.propose(put('x', '1')), StoppedError);
});

t.test('leadership transfer and leader-change notifications', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  const target = [...c.members.values()].find((m) => m.id !== leader.id)!;
  const seen: string[] = [];
  target.node.onLeaderChange((l) => seen.push(l));
  await leader.node.transferLeadership(target.id);
  await c.waitLeader();
  t.equal(c.leader()!.id, target.id);
  t.ok(seen.includes(target.id));
});

t.test('a learner is added and promoted through conf changes', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  await leader.node.propose(put('before', 'x'));
  const changes: string[] = [];
  leader.node.onConfChange((cc) => changes.push(`${cc.type}:${cc.node}`));
  await leader.node.proposeConfChange({ type: ConfChangeType.AddLearner, node: 'd' });
  t.same(leader.node.status().conf.learners, ['d']);
  // The new node starts empty and learns the configuration from the leader.
  const store = new MemoryLogStore();
  const d = new RaftNode({ id: 'd', peers: [], logStore: store, transport: c.net.join('d'), stateMachine: new KvMachine(), tickMs: 10, heartbeatMs: 20, electionMs: 100 });
  t.teardown(() => d.stop());
  await d.start();
  await until(() => d.status().applied >= leader.node.status().applied, 'learner caught up');
  await leader.node.proposeConfChange({ type: ConfChangeType.PromoteLearner, node: 'd' });
  t.same([...leader.node.status().conf.voters].sort(), ['a', 'b', 'c', 'd']);
  t.same(changes, [`${ConfChangeType.AddLearner}:d`, `${ConfChangeType.PromoteLearner}:d`]);
});

t.test('bad timing config is refused with the field', async (t) => {
  const net = new MemoryNetwork();
  const base = { id: 'a', peers: ['a'], logStore: new MemoryLogStore(), transport: net.join('a'), stateMachine: new KvMachine() };
  t.throws(() => new RaftNode({ ...base, tickMs: 100, heartbeatMs: 100, electionMs: 140 }), { name: 'RaftNodeConfigError', field: 'electionMs' });
  t.throws(() => new RaftNode({ ...base, tickMs: 0 }), { field: 'tickMs' });
});

t.test('requests pending when the leader changes are failed at once, not at their timeout', async (t) => {
  const c = new Cluster(['a', 'b', 'c'], { requestTimeoutMs: 10_000 });
  t.teardown(() => c.stopAll());
  await c.startAll();
  const old = await c.waitLeader();
  const follower = [...c.members.values()].find((m) => m.id !== old.id)!;
  c.net.isolate(old.id);
  const started = Date.now();
  const err = await follower.node.propose(put('lost', '1')).then(() => undefined, (e: unknown) => e);
  t.equal((err as Error).name, 'LeaderChangedError');
  t.ok(Date.now() - started < 5000, 'well before the 10 s timeout');
  c.net.heal(old.id);
});

t.test('snapshotNow takes a snapshot at the applied index and compacts', async (t) => {
  const c = new Cluster(['a', 'b', 'c']);
  t.teardown(() => c.stopAll());
  await c.startAll();
  const leader = await c.waitLeader();
  for (let i = 0; i < 5; i++) await leader.node.propose(put(`k${i}`, `${i}`));
  const info = await leader.node.snapshotNow();
  t.equal(info.index, leader.node.status().applied);
  t.ok(info.sizeBytes > 0);
  t.equal(leader.node.status().snapshotIndex, info.index);
  const again = await leader.node.snapshotNow();
  t.same(again, info, 'nothing new applied: the same snapshot');
});

t.test('a node that has just won an election takes proposals while the Ready announcing it is still on disk', async (t) => {
  // Regression (CI, 2026-11-27): status() said leader, propose() said
  // NoLeaderError, because propose read the leader handleReady had
  // published, and handleReady was still waiting for an earlier save.
  class GatedStore extends MemoryLogStore {
    gate: Promise<void> | undefined;
    override async save(batch: Parameters<MemoryLogStore['save']>[0]): Promise<void> {
      if (this.gate) await this.gate;
      return super.save(batch);
    }
  }
  const store = new GatedStore();
  let open!: () => void;
  const net = new MemoryNetwork();
  const node = new RaftNode({ id: 'a', peers: ['a'], logStore: store, transport: net.join('a'), stateMachine: new KvMachine(), tickMs: 10, heartbeatMs: 30, electionMs: 100 });
  t.teardown(() => node.stop());
  await node.start();
  store.gate = new Promise((r) => (open = r)); // the election's hard state waits here
  await until(() => node.status().role === 'leader', 'the core leads');
  const p = node.propose(put('k', 'v'));
  store.gate = undefined;
  open();
  const r = await p;
  t.ok(r.index > 0, `committed at ${r.index}`);
});

t.test('a leader-change handler that throws is logged and does not stop the node', async (t) => {
  // Regression: the daemon's handler threw while gossip was shutting down,
  // inside the Ready loop, and the node stopped as if its disk had failed.
  const net = new MemoryNetwork();
  const node = new RaftNode({ id: 'a', peers: ['a'], logStore: new MemoryLogStore(), transport: net.join('a'), stateMachine: new KvMachine(), tickMs: 10, heartbeatMs: 30, electionMs: 100 });
  t.teardown(() => node.stop());
  let calls = 0;
  node.onLeaderChange(() => {
    calls++;
    throw new Error('subscriber is gone');
  });
  await node.start();
  await until(() => calls > 0, 'the handler ran');
  const r = await node.propose(put('k', 'v'));
  t.ok(r.index > 0, 'the node still commits');
});

t.test('an asynchronous state machine snapshot does not hold up commits, and compacts at the index it was taken at', async (t) => {
  /** KvMachine whose snapshot resolves only when the test lets it. */
  class SlowSnapshots extends KvMachine {
    release: Array<() => void> = [];
    takenAt = 0;
    override snapshot(): Promise<Uint8Array> {
      const state = super.snapshot() as Uint8Array;
      this.takenAt = this.appliedIndexes[this.appliedIndexes.length - 1] ?? 0;
      return new Promise((resolve) => this.release.push(() => resolve(state)));
    }
  }
  const store = new MemoryLogStore();
  const sm = new SlowSnapshots();
  const net = new MemoryNetwork();
  const config = { id: 'a', peers: ['a'], logStore: store, tickMs: 10, heartbeatMs: 30, electionMs: 100, snapshotEntries: 5, snapshotCatchUpEntries: 0 };
  const node = new RaftNode({ ...config, transport: net.join('a'), stateMachine: sm });
  await node.start();
  await until(() => node.status().role === 'leader', 'single node leads');
  for (let i = 0; i < 8; i++) await node.propose(put(`k${i}`, `${i}`));
  await until(() => sm.release.length === 1, 'a snapshot started');
  // While it serializes, proposals still commit and apply.
  const later: number[] = [];
  for (let i = 8; i < 12; i++) later.push((await node.propose(put(`k${i}`, `${i}`))).index);
  t.equal(node.status().snapshotIndex, 0, 'not compacted yet');
  t.equal(sm.release.length, 1, 'one snapshot at a time');
  sm.release.shift()!();
  await until(() => node.status().snapshotIndex > 0, 'compacted');
  const at = node.status().snapshotIndex;
  t.ok(at >= sm.takenAt && at < later[0]!, `compacted at the index the snapshot was taken at (${at}; last entry in it ${sm.takenAt})`);
  t.ok(node.status().applied > node.status().snapshotIndex);
  for (const r of sm.release.splice(0)) r();
  await node.stop();

  // A restart restores the snapshot and replays the rest.
  const sm2 = new KvMachine();
  const again = new RaftNode({ ...config, logStore: store, transport: new MemoryNetwork().join('a'), stateMachine: sm2 });
  await again.start();
  t.teardown(() => again.stop());
  await until(() => sm2.data.size === 12, 'all 12 keys back');
  t.equal(sm2.restores, 1);
  t.equal(sm2.data.get('k11'), '11');
});

/** KvMachine whose snapshot is `size` bytes, however little it holds. */
class BigState extends KvMachine {
  constructor(public size: number) {
    super();
  }
  snapshots = 0;
  override snapshot(): Uint8Array {
    this.snapshots++;
    const real = super.snapshot() as Uint8Array;
    const out = new Uint8Array(Math.max(this.size, real.length + 4));
    new DataView(out.buffer).setUint32(0, real.length);
    out.set(real, 4);
    return out;
  }
  override restore(data: Uint8Array): void {
    super.restore(data.subarray(4, 4 + new DataView(data.buffer, data.byteOffset).getUint32(0)));
  }
}
type Opts = { snapshotLogRatio?: number; snapshotMaxLogBytes?: number; rand?: { intn(n: number): number } };
const runBigState = async (opts: Opts, writes: number, onSnapshot?: (applied: number) => void): Promise<BigState> => {
  const sm = new BigState(4_000);
  const node = new RaftNode({
    id: 'a', peers: ['a'], logStore: new MemoryLogStore(), transport: new MemoryNetwork().join('a'), stateMachine: sm,
    tickMs: 10, heartbeatMs: 30, electionMs: 100, snapshotEntries: 10, snapshotCatchUpEntries: 0, rand: { intn: () => 0 }, ...opts,
  });
  await node.start();
  await until(() => node.status().role === 'leader', 'single node leads');
  // Each entry holds about 20 bytes (the request envelope and a short put).
  for (let i = 0; i < writes; i++) {
    const before = sm.snapshots;
    await node.propose(put(`k${i % 5}`, 'v'));
    if (sm.snapshots > before) onSnapshot?.(node.status().applied);
  }
  await node.stop();
  return sm;
};

t.test('snapshots are spaced by the state size: a large state is not rewritten after every few small writes', async (t) => {
  const run = runBigState;
  const spaced = await run({}, 300);
  t.equal(spaced.snapshots, 2, `300 small writes under a 4 kB state: a snapshot after 10 entries, then one after 4 kB of log (took ${spaced.snapshots})`);
  const byCount = await run({ snapshotLogRatio: 0 }, 300);
  t.ok(byCount.snapshots >= 29, `with the rule off, one every 10 entries (took ${byCount.snapshots})`);
  const capped = await run({ snapshotMaxLogBytes: 1_000 }, 300);
  t.ok(capped.snapshots >= 5 && capped.snapshots < byCount.snapshots, `snapshotMaxLogBytes bounds the log between snapshots (took ${capped.snapshots})`);
});

t.test('the spread between members moves the byte rule too, not only the entry count', async (t) => {
  // Members draw different spreads. Where the state is large the byte rule
  // decides, and spreading only the entry count left every member
  // snapshotting at the same index (measured: three daemons within a few
  // hundred entries of each other, every time).
  const points = async (intn: (n: number) => number): Promise<number[]> => {
    const out: number[] = [];
    await runBigState({ rand: { intn } }, 400, (applied) => out.push(applied));
    return out;
  };
  const low = await points(() => 0);
  const high = await points((n) => n - 1);
  t.equal(low.length, 2, `spread 1: a snapshot after 10 entries, then one after 4 kB of log (at ${low.join(', ')})`);
  t.equal(high.length, 2, `spread 1.5: the same two (at ${high.join(', ')})`);
  t.ok(high[0]! >= 15 && high[0]! < 18, `the entry count is stretched by 1.5 (${high[0]} vs ${low[0]})`);
  const lowGap = low[1]! - low[0]!;
  const highGap = high[1]! - high[0]!;
  t.ok(highGap > lowGap * 1.4 && highGap < lowGap * 1.6, `so is the byte rule: ${highGap} entries between the snapshots, against ${lowGap}`);
});

/** KvMachine whose snapshot is `pieces` pieces of `pieceMs` of busy CPU each, pausing between them as asked. */
class PiecewiseSnapshots extends KvMachine {
  pieces = 12;
  pieceMs = 3;
  done = 0;
  started = 0;
  paused: boolean[] = [];
  override async snapshot(pause?: () => Promise<void>): Promise<Uint8Array> {
    this.started++;
    const state = super.snapshot() as Uint8Array;
    for (let i = 0; i < this.pieces; i++) {
      const end = performance.now() + this.pieceMs;
      while (performance.now() < end) { /* encode */ }
      if (i + 1 < this.pieces) {
        this.paused.push(pause !== undefined);
        await (pause ? pause() : new Promise((r) => setImmediate(r)));
      }
    }
    this.done++;
    return state;
  }
}

t.test('a snapshot taken by the size rule is paced: the loop gets idle time between its pieces; snapshotNow is not paced', async (t) => {
  const sm = new PiecewiseSnapshots();
  const node = new RaftNode({
    id: 'a', peers: ['a'], logStore: new MemoryLogStore(), transport: new MemoryNetwork().join('a'), stateMachine: sm,
    tickMs: 10, heartbeatMs: 30, electionMs: 100, snapshotEntries: 5, snapshotCatchUpEntries: 0, snapshotLogRatio: 0, rand: { intn: () => 0 },
  });
  t.teardown(() => node.stop());
  await node.start();
  await until(() => node.status().role === 'leader', 'single node leads');
  for (let i = 0; i < 6; i++) await node.propose(put(`k${i}`, `${i}`));
  await until(() => sm.done === 1, 'the size rule took a snapshot');
  const paced = node.metrics().snapshotPauseMs;
  // 11 pauses after pieces of at least 3 ms: 9 ms or more each (three times the piece).
  t.ok(sm.paused.every(Boolean), 'every piece was followed by the node\'s pause');
  t.ok(paced >= 11 * 9, `the loop was left idle ${paced.toFixed(0)} ms between the pieces`);
  sm.paused = [];
  await node.snapshotNow();
  t.equal(sm.done, 2);
  t.ok(sm.paused.every((p) => !p), 'snapshotNow gives no pacer');
  t.equal(node.metrics().snapshotPauseMs, paced, 'and so no pause');
});

t.test('stopping during a paced snapshot lets it finish unpaced', async (t) => {
  const sm = new PiecewiseSnapshots();
  sm.pieces = 200;
  const node = new RaftNode({
    id: 'a', peers: ['a'], logStore: new MemoryLogStore(), transport: new MemoryNetwork().join('a'), stateMachine: sm,
    tickMs: 10, heartbeatMs: 30, electionMs: 100, snapshotEntries: 5, snapshotCatchUpEntries: 0, snapshotLogRatio: 0, rand: { intn: () => 0 },
  });
  await node.start();
  await until(() => node.status().role === 'leader', 'single node leads');
  for (let i = 0; i < 6; i++) await node.propose(put(`k${i}`, `${i}`));
  await until(() => node.metrics().snapshotPauseMs > 0, 'a paced snapshot is under way');
  await node.stop();
  const atStop = node.metrics().snapshotPauseMs;
  t.equal(sm.done, 1, 'stop waited for the snapshot');
  // Paced, 200 pieces would have paused about 1.8 s; after stop, at most the pause in progress.
  t.ok(atStop < 200, `it paused ${atStop.toFixed(0)} ms in all, not for every piece`);
});

/** Holds the store's saves (those `which` picks) from now until the returned function is called. */
function holdSaves(store: MemoryLogStore, which: (b: PersistBatch) => boolean = () => true): { release: () => void; held: () => number } {
  const save = store.save.bind(store);
  let held = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  store.save = async (batch) => {
    if (!which(batch)) return save(batch);
    held++;
    await gate;
    return save(batch);
  };
  return {
    release: () => {
      store.save = save;
      release();
    },
    held: () => held,
  };
}

/** Three started members, stopped at the test's end: the leader and its two followers. */
async function threeMembers(t: Test): Promise<{ c: Cluster; lead: Member; f1: Member; f2: Member }> {
  const c = new Cluster(['n1', 'n2', 'n3']);
  await c.startAll();
  t.teardown(() => c.stopAll());
  const lead = await c.waitLeader();
  const [f1, f2] = [...c.members.values()].filter((m) => m !== lead) as [Member, Member];
  return { c, lead, f1, f2 };
}

t.test('a leader whose disk stalls still commits with its followers, tells them at once, and applies', async (t) => {
  const { lead, f1, f2 } = await threeMembers(t);
  await f1.node.propose(put('warm', '1'));
  const stall = holdSaves(lead.store);
  t.teardown(() => stall.release()); // before the cluster stops (teardowns run last-added first)
  // Through a follower: the leader appends it while its own save is held.
  await f1.node.propose(put('a', '1'), { timeoutMs: 3000 });
  t.equal(f1.sm.data.get('a'), '1', 'committed by the two followers and applied where it was proposed');
  await until(() => f2.sm.data.get('a') === '1', 'the other follower applies it');
  // Committed means on a quorum's disks: the leader need not wait for its own.
  await until(() => lead.sm.data.get('a') === '1', 'the leader applies it too');
  t.ok(stall.held() > 0, "the leader's save is still held");
  t.ok(lead.node.metrics().sentWhileSaving > 0);
  t.ok(lead.node.metrics().appliedWhileSaving > 0);
  stall.release();
  await lead.node.propose(put('b', '1'), { timeoutMs: 3000 });
  t.equal(lead.sm.data.get('b'), '1', 'and goes on once its disk answers');
});

t.test('a follower whose disk stalls applies what the others commit, and acknowledges nothing', async (t) => {
  const { lead, f1, f2 } = await threeMembers(t);
  await lead.node.propose(put('warm', '1'));
  await until(() => f1.sm.data.get('warm') === '1', 'the follower applies the first write');
  const stall = holdSaves(f1.store);
  t.teardown(() => stall.release()); // before the cluster stops (teardowns run last-added first)
  await lead.node.propose(put('a', '1'), { timeoutMs: 3000 });
  await until(() => f1.sm.data.get('a') === '1', 'the stalled follower applies it');
  t.ok(stall.held() > 0, "the follower's save is still held");
  t.equal(lead.node.status().progress?.[f1.id]?.match, lead.node.status().commit - 1, 'it acknowledged only what it had synced');
  t.equal(f2.sm.data.get('a'), '1');
  stall.release();
  await until(() => lead.node.status().progress?.[f1.id]?.match === lead.node.status().commit, 'its acknowledgement follows its sync');
});

t.test('a follower acknowledges nothing before its save completes', async (t) => {
  const { c, lead, f1, f2 } = await threeMembers(t);
  await lead.node.propose(put('warm', '1'));
  c.net.isolate(f2.id);
  const stall = holdSaves(f1.store);
  t.teardown(() => stall.release()); // before the cluster stops (teardowns run last-added first)
  const p = lead.node.propose(put('b', '2'), { timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 300));
  t.ok(stall.held() > 0);
  t.equal(lead.sm.data.get('b'), undefined, 'no commit: the leader alone has it on disk');
  t.equal(lead.node.status().progress?.[f1.id]?.match, lead.node.status().commit, 'the follower acknowledged only what it had synced');
  stall.release();
  await p;
  t.equal(lead.sm.data.get('b'), '2', 'committed once the follower synced it');
});

t.test('a batch that only moves the commit index is not waited for', async (t) => {
  const { c, lead, f1, f2 } = await threeMembers(t);
  await lead.node.propose(put('warm', '1'));
  await until(() => f1.sm.data.get('warm') === '1', 'the follower applies the first write');
  // f1 is the only follower the leader can commit with, and its unsynced writes never finish.
  c.net.isolate(f2.id);
  const stall = holdSaves(f1.store, (b) => b.sync === false);
  t.teardown(() => stall.release());
  for (let i = 0; i < 5; i++) {
    await lead.node.propose(put(`k${i}`, String(i)), { timeoutMs: 3000 });
    // The follower learns this commit alone, in a batch of its own.
    await until(() => f1.sm.data.get(`k${i}`) === String(i), `the follower applies k${i}`);
  }
  t.ok(stall.held() >= 5, `${stall.held()} commit-only batches are held, and the follower went on`);
  t.ok(f1.node.metrics().commitOnlySaves >= stall.held());
  stall.release();
});

t.test('a node restarts when its stored commit is older than its snapshot', async (t) => {
  const c = new Cluster(['n1', 'n2', 'n3']);
  await c.startAll();
  t.teardown(() => c.stopAll());
  const lead = await c.waitLeader();
  for (let i = 0; i < 20; i++) await lead.node.propose(put(`k${i}`, String(i)));
  const f = [...c.members.values()].find((m) => m !== lead)!;
  await until(() => f.sm.data.get('k19') === '19', 'the follower applies everything');
  const snap = await f.node.snapshotNow();
  await c.stop(f.id);
  // What a crash can leave: the snapshot synced, no hard state naming its
  // commit (the node applies while a batch syncs; commit-only states are not synced).
  const store = c.stores.get(f.id)!;
  const { hardState } = await store.load();
  await store.save({ hardState: { ...hardState, commit: snap.index - 5 }, entries: [] });
  const again = await c.start(f.id);
  t.equal(again.sm.data.get('k19'), '19', 'restored from the snapshot');
  t.ok(again.node.status().commit >= snap.index);
  await lead.node.propose(put('after', '1'));
  await until(() => again.sm.data.get('after') === '1', 'and follows the leader again');
});
