// The MIT 6.824 Raft lab scenarios (2A election, 2B agreement, 2C
// persistence, 2D snapshots), run on the deterministic simulation. The
// cluster checker verifies Raft's safety properties after every step too.
import t from 'tap';
import { Lab } from '../../src/sim/lab.js';

type Test = Parameters<Parameters<typeof t.test>[1]>[0];

const ELECTION_TIMEOUT = 1000; // lab milliseconds (the lab's upper bound)

function randInt(lab: Lab, n: number): number {
  return lab.cluster.rand.intn(n);
}

t.test('2A initial election', async (t) => {
  const lab = new Lab({ servers: 3 });
  lab.checkOneLeader();
  lab.sleep(50);
  const term1 = lab.checkTerms();
  t.ok(term1 >= 1, 'a term was started');
  lab.sleep(2 * ELECTION_TIMEOUT);
  const term2 = lab.checkTerms();
  t.equal(term2, term1, 'no election without failures');
  lab.checkOneLeader();
});

t.test('2A re-election', async (t) => {
  const lab = new Lab({ servers: 3 });
  const leader1 = lab.checkOneLeader();
  lab.disconnect(leader1);
  lab.checkOneLeader();
  lab.connect(leader1);
  const leader2 = lab.checkOneLeader();
  lab.disconnect(leader2);
  lab.disconnect((leader2 + 1) % 3);
  lab.sleep(2 * ELECTION_TIMEOUT);
  lab.checkNoLeader();
  lab.connect((leader2 + 1) % 3);
  lab.checkOneLeader();
  lab.connect(leader2);
  lab.checkOneLeader();
  t.pass('leaders elected as expected');
});

t.test('2A many elections', async (t) => {
  const lab = new Lab({ servers: 7 });
  lab.checkOneLeader();
  for (let i = 0; i < 10; i++) {
    const [a, b, c] = [randInt(lab, 7), randInt(lab, 7), randInt(lab, 7)];
    lab.disconnect(a);
    lab.disconnect(b);
    lab.disconnect(c);
    lab.checkOneLeader();
    lab.connect(a);
    lab.connect(b);
    lab.connect(c);
  }
  lab.checkOneLeader();
  t.pass('a leader after every disruption');
});

t.test('2B basic agree', async (t) => {
  const lab = new Lab({ servers: 3 });
  for (let i = 1; i <= 3; i++) {
    const before = lab.one('warmup-' + i, 3, false);
    t.equal(lab.nCommitted(before + 1).count, 0, 'nothing committed before start');
    const index = lab.one(i * 100, 3, false);
    t.equal(index, before + 1, 'consecutive indexes');
  }
});

t.test('2B fail agree', async (t) => {
  const lab = new Lab({ servers: 3 });
  lab.one(101, 3, false);
  const leader = lab.checkOneLeader();
  lab.disconnect((leader + 1) % 3);
  lab.one(102, 2, false);
  lab.one(103, 2, false);
  lab.sleep(ELECTION_TIMEOUT);
  lab.one(104, 2, false);
  lab.one(105, 2, false);
  lab.connect((leader + 1) % 3);
  lab.one(106, 3, true);
  lab.sleep(ELECTION_TIMEOUT);
  lab.one(107, 3, true);
  t.pass('agreement despite a disconnected follower');
});

t.test('2B fail no agree', async (t) => {
  const lab = new Lab({ servers: 5 });
  lab.one(10, 5, false);
  const leader = lab.checkOneLeader();
  lab.disconnect((leader + 1) % 5);
  lab.disconnect((leader + 2) % 5);
  lab.disconnect((leader + 3) % 5);
  const r = lab.start(leader, 20);
  t.ok(r.isLeader, 'leader accepts the command');
  lab.sleep(2 * ELECTION_TIMEOUT);
  t.equal(lab.nCommitted(r.index).count, 0, 'no commit without a majority');
  lab.connect((leader + 1) % 5);
  lab.connect((leader + 2) % 5);
  lab.connect((leader + 3) % 5);
  const leader2 = lab.checkOneLeader();
  const r2 = lab.start(leader2, 30);
  t.ok(r2.isLeader);
  t.ok(r2.index >= r.index && r2.index <= r.index + 2, `index ${r2.index} near ${r.index}`);
  lab.one(1000, 5, true);
});

t.test('2B concurrent starts', async (t) => {
  const lab = new Lab({ servers: 3 });
  let ok = false;
  for (let attempt = 0; attempt < 5 && !ok; attempt++) {
    const leader = lab.checkOneLeader();
    const first = lab.start(leader, 1);
    if (!first.isLeader) continue;
    const indexes: number[] = [];
    let sameTerm = true;
    for (let i = 0; i < 5; i++) {
      const r = lab.start(leader, 100 + i);
      if (!r.isLeader || r.term !== first.term) sameTerm = false;
      else indexes.push(r.index);
    }
    if (!sameTerm) continue;
    const values = indexes.map((ix) => lab.wait(ix, 3, first.term));
    if (values.some((v) => v === undefined)) continue;
    t.same(values.map(Number).sort(), [100, 101, 102, 103, 104], 'all five committed');
    ok = true;
  }
  t.ok(ok, 'concurrent starts committed within a term');
});

t.test('2B rejoin', async (t) => {
  const lab = new Lab({ servers: 3 });
  lab.one(101, 3, true);
  const leader1 = lab.checkOneLeader();
  lab.disconnect(leader1);
  lab.start(leader1, 102);
  lab.start(leader1, 103);
  lab.start(leader1, 104);
  lab.one(103, 2, true);
  const leader2 = lab.checkOneLeader();
  lab.disconnect(leader2);
  lab.connect(leader1);
  lab.one(104, 2, true);
  lab.connect(leader2);
  lab.one(105, 3, true);
  t.pass('a partitioned leader rejoins and its uncommitted entries are replaced');
});

t.test('2B backup (leader backs up quickly over incorrect follower logs)', async (t) => {
  const lab = new Lab({ servers: 5 });
  lab.one(randInt(lab, 10000), 5, true);
  const leader1 = lab.checkOneLeader();
  lab.disconnect((leader1 + 2) % 5);
  lab.disconnect((leader1 + 3) % 5);
  lab.disconnect((leader1 + 4) % 5);
  for (let i = 0; i < 50; i++) lab.start(leader1, randInt(lab, 10000));
  lab.sleep(ELECTION_TIMEOUT / 2);
  lab.disconnect((leader1 + 0) % 5);
  lab.disconnect((leader1 + 1) % 5);
  lab.connect((leader1 + 2) % 5);
  lab.connect((leader1 + 3) % 5);
  lab.connect((leader1 + 4) % 5);
  for (let i = 0; i < 50; i++) lab.one(randInt(lab, 10000), 3, true);
  const leader2 = lab.checkOneLeader();
  let other = (leader1 + 2) % 5;
  if (leader2 === other) other = (leader2 + 1) % 5;
  lab.disconnect(other);
  for (let i = 0; i < 50; i++) lab.start(leader2, randInt(lab, 10000));
  lab.sleep(ELECTION_TIMEOUT / 2);
  for (let i = 0; i < 5; i++) lab.disconnect(i);
  lab.connect((leader1 + 0) % 5);
  lab.connect((leader1 + 1) % 5);
  lab.connect(other);
  for (let i = 0; i < 50; i++) lab.one(randInt(lab, 10000), 3, true);
  for (let i = 0; i < 5; i++) lab.connect(i);
  lab.one(randInt(lab, 10000), 5, true);
  t.pass('converged after divergent partitions');
});

t.test('2C persist 1', async (t) => {
  const lab = new Lab({ servers: 3 });
  lab.one(11, 3, true);
  for (let i = 0; i < 3; i++) lab.crash1(i);
  for (let i = 0; i < 3; i++) {
    lab.start1(i);
    lab.connect(i);
  }
  lab.one(12, 3, true);
  const leader1 = lab.checkOneLeader();
  lab.crash1(leader1);
  lab.start1(leader1);
  lab.connect(leader1);
  lab.one(13, 3, true);
  const leader2 = lab.checkOneLeader();
  lab.disconnect(leader2);
  lab.one(14, 2, true);
  lab.start1(leader2);
  lab.connect(leader2);
  lab.wait(lab.one(15, 3, true), 3, -1);
  const i3 = (lab.checkOneLeader() + 1) % 3;
  lab.crash1(i3);
  lab.one(16, 2, true);
  lab.start1(i3);
  lab.connect(i3);
  lab.one(17, 3, true);
  t.pass('state survives crashes and restarts');
});

t.test('2C persist 2', async (t) => {
  const lab = new Lab({ servers: 5 });
  let index = 1;
  for (let iters = 0; iters < 5; iters++) {
    lab.one(10 + index++, 5, true);
    const leader1 = lab.checkOneLeader();
    lab.crash1((leader1 + 1) % 5);
    lab.crash1((leader1 + 2) % 5);
    lab.one(10 + index++, 3, true);
    lab.crash1((leader1 + 0) % 5);
    lab.crash1((leader1 + 3) % 5);
    lab.crash1((leader1 + 4) % 5);
    for (const k of [1, 2]) {
      lab.start1((leader1 + k) % 5);
      lab.connect((leader1 + k) % 5);
    }
    lab.sleep(ELECTION_TIMEOUT);
    lab.start1((leader1 + 3) % 5);
    lab.connect((leader1 + 3) % 5);
    lab.one(10 + index++, 3, true);
    for (const k of [4, 0]) {
      lab.start1((leader1 + k) % 5);
      lab.connect((leader1 + k) % 5);
    }
  }
  lab.one(1000, 5, true);
  t.pass('agreement through repeated majority crashes');
});

t.test('2C persist 3', async (t) => {
  const lab = new Lab({ servers: 3 });
  lab.one(101, 3, true);
  const leader = lab.checkOneLeader();
  lab.disconnect((leader + 2) % 3);
  lab.one(102, 2, true);
  lab.crash1((leader + 0) % 3);
  lab.crash1((leader + 1) % 3);
  lab.connect((leader + 2) % 3);
  lab.start1((leader + 0) % 3);
  lab.connect((leader + 0) % 3);
  lab.one(103, 2, true);
  lab.start1((leader + 1) % 3);
  lab.connect((leader + 1) % 3);
  lab.one(104, 3, true);
  t.pass('a crashed partial majority recovers the committed entry');
});

function figure8(t: Test, unreliable: boolean): void {
  const lab = new Lab({ servers: 5, unreliable, seed: unreliable ? 88 : 8 });
  lab.one(randInt(lab, 10000), 1, true);
  if (unreliable) lab.setLongReordering(true);
  let nup = 5;
  for (let iters = 0; iters < (unreliable ? 300 : 200); iters++) {
    if (unreliable && iters === 200) lab.setLongReordering(false);
    let leader = -1;
    for (let i = 0; i < 5; i++) {
      if (lab.isConnected(i) && lab.start(i, randInt(lab, 10000)).isLeader) leader = i;
    }
    if (lab.cluster.rand.chance(0.1)) lab.sleep(randInt(lab, ELECTION_TIMEOUT / 2));
    else lab.sleep(randInt(lab, 130));
    if (leader !== -1 && (unreliable ? randInt(lab, 1000) < ELECTION_TIMEOUT / 2 : true)) {
      if (unreliable) lab.disconnect(leader);
      else lab.crash1(leader);
      nup--;
    }
    if (nup < 3) {
      const s = randInt(lab, 5);
      if (!lab.isConnected(s)) {
        if (!unreliable) lab.start1(s);
        lab.connect(s);
        nup++;
      }
    }
  }
  for (let i = 0; i < 5; i++) {
    if (!lab.isConnected(i)) {
      if (!lab.isUp(i)) lab.start1(i);
      lab.connect(i);
    }
  }
  if (unreliable) lab.setUnreliable(false);
  lab.one(randInt(lab, 10000), 5, true);
  t.pass('the Figure 8 scenario never commits an overwritten entry');
}

t.test('2C Figure 8', async (t) => figure8(t, false));
t.test('2C Figure 8 unreliable', async (t) => figure8(t, true));

t.test('2C unreliable agree', async (t) => {
  const lab = new Lab({ servers: 5, unreliable: true });
  for (let iters = 1; iters < 30; iters++) {
    // The lab runs four concurrent clients per round; offer their commands, then one more to agree on.
    for (let j = 0; j < 4; j++) {
      const leader = lab.cluster.leader();
      if (leader !== undefined) lab.cluster.put(leader.id, 'lab', String(100 * iters + j));
    }
    lab.one(iters, 1, true);
  }
  lab.setUnreliable(false);
  lab.one(100, 5, true);
  t.pass('agreement on a lossy network');
});

function churn(t: Test, unreliable: boolean): void {
  const lab = new Lab({ servers: 5, unreliable, seed: unreliable ? 77 : 7 });
  const c = lab.cluster;
  const acked: string[] = [];
  const proposed: string[] = [];
  for (let iters = 0; iters < 20; iters++) {
    // Clients keep writing through whoever is leader while servers churn.
    for (let k = 0; k < 70; k++) {
      if (c.rand.chance(0.3)) {
        const connectedLeaders = lab.ids.map((_, i) => i).filter((i) => lab.isConnected(i) && c.node(lab.ids[i]!).isLeader());
        if (connectedLeaders.length > 0) {
          const id = c.put(lab.ids[c.rand.pick(connectedLeaders)]!, 'churn', `x${iters}-${k}`);
          if (id !== undefined) proposed.push(id);
        }
      }
      c.step();
    }
    const i = randInt(lab, 5);
    const p = c.rand.next();
    if (p < 0.2) lab.disconnect(i);
    else if (p < 0.5) {
      if (!lab.isUp(i)) lab.start1(i);
      lab.connect(i);
    } else if (p < 0.7) lab.crash1(i);
  }
  lab.sleep(ELECTION_TIMEOUT);
  lab.setUnreliable(false);
  for (let i = 0; i < 5; i++) {
    if (!lab.isUp(i)) lab.start1(i);
    lab.connect(i);
  }
  const last = lab.one(randInt(lab, 10000), 5, true);
  for (const id of proposed) if (c.isAcked(id)) acked.push(id);
  t.ok(acked.length > 10, `${acked.length} client writes acknowledged during churn`);
  // Every acknowledged write is in the agreed log of all five servers.
  for (const id of acked) {
    const w = c.checker.acked.get(id)!;
    t.ok(w.index < last && lab.nCommitted(w.index).count === 5, `acknowledged write ${id} is on all servers`);
  }
}

t.test('2C reliable churn', async (t) => churn(t, false));
t.test('2C unreliable churn', async (t) => churn(t, true));

t.test('2D snapshot basic', async (t) => {
  const lab = new Lab({ servers: 3, snapshotEvery: 10 });
  lab.one(randInt(lab, 10000), 3, true);
  for (let i = 0; i < 60; i++) lab.one(randInt(lab, 10000), 3, true);
  for (const id of lab.ids) t.ok(lab.cluster.node(id).storage.firstIndex() > 40, `${id} compacted its log`);
});

function install(t: Test, opts: { disconnect: boolean; reliable: boolean; crash: boolean }): void {
  const lab = new Lab({ servers: 3, snapshotEvery: 10, unreliable: !opts.reliable, seed: opts.crash ? 31 : opts.reliable ? 32 : 33 });
  lab.one(randInt(lab, 10000), 3, true);
  let leader1 = lab.checkOneLeader();
  let installs = 0;
  for (let i = 0; i < 15; i++) {
    const victim = (leader1 + 1) % 3;
    if (opts.disconnect) lab.disconnect(victim);
    if (opts.crash) lab.crash1(victim);
    // Enough entries that the victim falls behind a snapshot.
    lab.start(leader1, randInt(lab, 10000));
    for (let j = 0; j < 11; j++) lab.one(randInt(lab, 10000), 2, true);
    if (opts.disconnect) {
      lab.connect(victim);
      lab.one(randInt(lab, 10000), 3, true);
    }
    if (opts.crash) {
      lab.start1(victim);
      lab.connect(victim);
      lab.one(randInt(lab, 10000), 3, true);
    }
    installs = Math.max(installs, lab.cluster.node(lab.ids[victim]!).installedSnapshot);
    leader1 = lab.checkOneLeader();
  }
  t.ok(installs > 0, 'a follower installed a snapshot from the leader');
}

t.test('2D install', async (t) => install(t, { disconnect: true, reliable: true, crash: false }));
t.test('2D install unreliable', async (t) => install(t, { disconnect: true, reliable: false, crash: false }));
t.test('2D install crash', async (t) => install(t, { disconnect: false, reliable: true, crash: true }));

t.test('2D all crash', async (t) => {
  const lab = new Lab({ servers: 3, snapshotEvery: 10 });
  lab.one(randInt(lab, 10000), 3, true);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 11; j++) lab.one(randInt(lab, 10000), 3, true);
    const before = lab.one(randInt(lab, 10000), 3, true);
    for (let k = 0; k < 3; k++) lab.crash1(k);
    for (let k = 0; k < 3; k++) {
      lab.start1(k);
      lab.connect(k);
    }
    const after = lab.one(randInt(lab, 10000), 3, true);
    t.ok(after > before, `round ${i}: log continues after a full crash (${before} -> ${after})`);
  }
});

t.test('2D init (restart from a snapshot, then again)', async (t) => {
  const lab = new Lab({ servers: 3, snapshotEvery: 10 });
  lab.one(randInt(lab, 10000), 3, true);
  for (let j = 0; j < 12; j++) lab.one(randInt(lab, 10000), 3, true);
  for (let k = 0; k < 3; k++) lab.crash1(k);
  for (let k = 0; k < 3; k++) {
    lab.start1(k);
    lab.connect(k);
  }
  for (const id of lab.ids) t.ok(lab.cluster.node(id).storage.snapshot().metadata.index > 0, `${id} restarted from a snapshot`);
  lab.one(randInt(lab, 10000), 3, true);
  for (let k = 0; k < 3; k++) lab.crash1(k);
  for (let k = 0; k < 3; k++) {
    lab.start1(k);
    lab.connect(k);
  }
  lab.one(randInt(lab, 10000), 3, true);
});
