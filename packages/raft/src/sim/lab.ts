/**
 * A tester shaped like the MIT 6.824 Raft lab's `config`: servers that can
 * be disconnected, crashed and restarted, `start` on the leader, `one` to
 * agree on a command, `nCommitted` to count servers that applied an index.
 * Time is simulated: one step is about a millisecond of the lab's clock
 * scaled down (election timeouts are 40-80 steps here).
 */
import { SimCluster } from './cluster.js';
import { RELIABLE, type NetworkFaults } from './network.js';

export class LabFailure extends Error {
  override name = 'LabFailure';
}

export interface LabOptions {
  servers: number;
  seed?: number;
  unreliable?: boolean;
  /** Take a snapshot every this many applied entries (the 2D labs use 10). */
  snapshotEvery?: number;
}

const UNRELIABLE_LAB: NetworkFaults = { drop: 0.1, duplicate: 0.02, minDelay: 1, maxDelay: 7, longDelay: 0, longDelayMax: 0 };

export class Lab {
  readonly cluster: SimCluster;
  readonly ids: string[];
  private readonly connected: boolean[];
  private faults: NetworkFaults;
  private longReordering = false;

  constructor(opts: LabOptions) {
    this.ids = Array.from({ length: opts.servers }, (_, i) => `s${i}`);
    this.cluster = new SimCluster({
      voters: this.ids,
      seed: opts.seed ?? 6824,
      node: { snapshotEvery: opts.snapshotEvery ?? 0, compactKeep: 0 },
    });
    this.connected = this.ids.map(() => true);
    this.faults = opts.unreliable === true ? UNRELIABLE_LAB : RELIABLE;
    this.applyNet();
  }

  get n(): number {
    return this.ids.length;
  }

  private applyNet(): void {
    const net = this.cluster.net;
    net.heal();
    for (let i = 0; i < this.n; i++) if (!this.connected[i]) net.isolate(this.ids[i]!, this.ids);
    net.faults = this.longReordering ? { ...this.faults, longDelay: 0.2, longDelayMax: 150 } : { ...this.faults };
  }

  setUnreliable(on: boolean): void {
    this.faults = on ? UNRELIABLE_LAB : RELIABLE;
    this.applyNet();
  }

  setLongReordering(on: boolean): void {
    this.longReordering = on;
    this.applyNet();
  }

  isConnected(i: number): boolean {
    return this.connected[i]!;
  }

  disconnect(i: number): void {
    this.connected[i] = false;
    this.applyNet();
  }

  connect(i: number): void {
    this.connected[i] = true;
    this.applyNet();
  }

  /** Crashes server i (it keeps what it persisted) and cuts it off. */
  crash1(i: number): void {
    this.disconnect(i);
    this.cluster.crash(this.ids[i]!);
  }

  /** Restarts server i from its persisted state (still disconnected). */
  start1(i: number): void {
    this.cluster.restart(this.ids[i]!);
  }

  isUp(i: number): boolean {
    return this.cluster.node(this.ids[i]!).alive;
  }

  /** Lets `ms` of lab time pass. */
  sleep(ms: number): void {
    this.cluster.run(Math.max(1, Math.round(ms / 10)));
  }

  /** Proposes `cmd` on server i if it is leader: its index and term. */
  start(i: number, cmd: string | number): { index: number; term: number; isLeader: boolean } {
    const node = this.cluster.node(this.ids[i]!);
    const r = node.raw?.raft;
    if (r === undefined || !node.isLeader()) return { index: -1, term: r?.term ?? 0, isLeader: false };
    const before = r.log.lastIndex();
    if (this.cluster.put(node.id, 'lab', String(cmd)) === undefined) return { index: -1, term: r.term, isLeader: false };
    const index = r.log.lastIndex();
    if (index !== before + 1) throw new LabFailure(`start: proposal landed at ${index}, expected ${before + 1}`);
    return { index, term: r.term, isLeader: true };
  }

  /** How many servers applied `index`, and the value they agree on. */
  nCommitted(index: number): { count: number; value: string | undefined } {
    let count = 0;
    let value: string | undefined;
    for (const id of this.ids) {
      const n = this.cluster.node(id);
      const v = n.appliedLog.get(index);
      if (v !== undefined) {
        if (value !== undefined && v !== value) throw new LabFailure(`committed values differ at ${index}: ${value} vs ${v}`);
        value = v;
        count++;
      } else if (index <= n.installedSnapshot) {
        count++;
      }
    }
    return { count, value };
  }

  /** The one leader among connected servers (the one of the newest term); fails if there is none. */
  checkOneLeader(): number {
    for (let iter = 0; iter < 10; iter++) {
      this.sleep(500);
      const byTerm = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        const node = this.cluster.node(this.ids[i]!);
        if (this.connected[i] && node.isLeader()) {
          const list = byTerm.get(node.term) ?? [];
          list.push(i);
          byTerm.set(node.term, list);
        }
      }
      let last = -1;
      for (const [term, leaders] of byTerm) {
        if (leaders.length > 1) throw new LabFailure(`term ${term} has ${leaders.length} leaders`);
        if (term > last) last = term;
      }
      if (last >= 0) return byTerm.get(last)![0]!;
    }
    throw new LabFailure('expected one leader, got none');
  }

  /** The term all connected servers agree on; fails if they differ. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.connected[i]) continue;
      const t = this.cluster.node(this.ids[i]!).term;
      if (term === -1) term = t;
      else if (t !== term) throw new LabFailure('servers disagree on term');
    }
    return term;
  }

  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (this.connected[i] && this.cluster.node(this.ids[i]!).isLeader()) {
        throw new LabFailure(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
  }

  /**
   * Agrees on `cmd`: offers it to leaders until `expected` servers applied
   * it; with `retry`, re-offers after a failed attempt. Returns its index.
   */
  one(cmd: string | number, expected: number, retry: boolean): number {
    const want = String(cmd);
    const deadline = this.cluster.now + 1000; // ~10 s of lab time
    let starts = 0;
    while (this.cluster.now < deadline) {
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        if (this.connected[starts]) {
          const r = this.start(starts, want);
          if (r.isLeader) {
            index = r.index;
            break;
          }
        }
      }
      if (index !== -1) {
        const until = this.cluster.now + 200; // ~2 s
        while (this.cluster.now < until) {
          const { count, value } = this.nCommitted(index);
          if (count > 0 && count >= expected && value === want) return index;
          this.cluster.step();
        }
        if (!retry) throw new LabFailure(`one(${want}) failed to reach agreement`);
      } else {
        this.sleep(50);
      }
    }
    throw new LabFailure(`one(${want}) failed to reach agreement`);
  }

  /** Waits for at least n servers to commit index; returns the value. */
  wait(index: number, n: number, startTerm: number): string | undefined {
    let to = 1;
    for (let iters = 0; iters < 30; iters++) {
      if (this.nCommitted(index).count >= n) break;
      this.cluster.run(to);
      if (to < 100) to *= 2;
      if (startTerm > -1) {
        for (const id of this.ids) {
          if (this.cluster.node(id).term > startTerm) return undefined; // someone moved on; cannot expect success
        }
      }
    }
    const { count, value } = this.nCommitted(index);
    if (count < n) throw new LabFailure(`only ${count} decided for index ${index}; wanted ${n}`);
    return value;
  }
}
