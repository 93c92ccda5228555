/**
 * A whole Raft cluster in one process: simulated nodes, network and clock,
 * clients issuing writes, compare-and-swaps and ReadIndex reads, and the
 * safety checker run after every step. Time advances one step at a time;
 * every random choice comes from one seeded generator.
 */
import { ConfChangeType, EntryType, MessageType, Role, type Entry, type Message, type NodeId, type ReadState } from '../types.js';
import { ConfChangeInProgressError, ProposalDroppedError } from '../core/errors.js';
import { requestKey } from '../core/read-only.js';
import { Checker } from './checker.js';
import { encodeCommand, type KvCommand, type KvResult } from './kv.js';
import { SimNetwork } from './network.js';
import { SimNode, type SimNodeObserver, type SimNodeOptions } from './node.js';
import { SeededRand } from './prng.js';

export interface ClusterOptions {
  /** The initial voters. */
  voters: NodeId[];
  /** Nodes that exist but start outside the configuration (to be added later). */
  spares?: NodeId[];
  seed: number;
  node?: Partial<SimNodeOptions>;
  /** Steps per Raft tick. */
  tickEvery?: number;
  /** Probability, per step, that a node gets to persist and handle its Ready (disk latency). */
  diskRate?: number;
  trace?: (line: string) => void;
}

interface PendingRead {
  node: NodeId;
  key: string;
  floor: { keyIndex: number; anyIndex: number };
}

export interface ReadResult {
  node: NodeId;
  key: string;
  value: string | undefined;
  index: number;
}

export class SimCluster implements SimNodeObserver {
  readonly rand: SeededRand;
  private readonly netRand: SeededRand;
  readonly net: SimNetwork;
  readonly checker = new Checker();
  readonly nodes = new Map<NodeId, SimNode>();
  readonly ids: NodeId[];
  now = 0;
  readonly tickEvery: number;
  diskRate: number;
  private readonly phase = new Map<NodeId, number>();
  private readonly pendingProposals = new Map<string, { node: NodeId; cmd: KvCommand }>();
  readonly results = new Map<string, KvResult>();
  private readonly pendingReads = new Map<string, PendingRead>();
  readonly readResults: ReadResult[] = [];
  private nextId = 0;
  private readonly trace: ((line: string) => void) | undefined;
  private readonly lastRole = new Map<NodeId, string>();
  /** What the run exercised, for reports and for tests that check coverage of faults. */
  readonly stats = { snapshotsDelivered: 0, confChangesApplied: 0, crashes: 0, restarts: 0 };

  constructor(opts: ClusterOptions) {
    this.rand = new SeededRand(opts.seed);
    this.netRand = this.rand.fork();
    this.net = new SimNetwork(this.netRand);
    this.tickEvery = opts.tickEvery ?? 4;
    this.diskRate = opts.diskRate ?? 0.8;
    this.trace = opts.trace;
    const nodeOpts: SimNodeOptions = {
      electionTick: 10,
      heartbeatTick: 1,
      preVote: true,
      checkQuorum: true,
      snapshotEvery: 0,
      compactKeep: 5,
      ...opts.node,
    };
    this.ids = [...opts.voters, ...(opts.spares ?? [])];
    for (const id of this.ids) {
      const conf = opts.voters.includes(id) ? { voters: [...opts.voters], learners: [] } : { voters: [], learners: [] };
      this.nodes.set(id, new SimNode(id, conf, nodeOpts, this.rand.fork(), this));
      this.phase.set(id, this.rand.intn(this.tickEvery));
    }
  }

  log(line: string): void {
    this.trace?.(`[${this.now}] ${line}`);
  }

  node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new RangeError(`no node ${id}`);
    return n;
  }

  // ---- observer hooks (called by nodes)

  persisted(node: SimNode, entries: Entry[]): void {
    this.checker.persisted(node, entries);
  }

  applied(node: SimNode, e: Entry, cmd: KvCommand | undefined, result: KvResult | undefined): void {
    this.checker.applied(node, e);
    // Bootstrap entries are term 1; every real change is proposed in a later term.
    if (e.type === EntryType.ConfChange && e.term > 1) this.stats.confChangesApplied++;
    if (cmd === undefined || result === undefined) return;
    const p = this.pendingProposals.get(cmd.id);
    if (p !== undefined && p.node === node.id) {
      // Acknowledged: the proposing node applied it, so it is committed.
      this.pendingProposals.delete(cmd.id);
      this.results.set(cmd.id, result);
      this.checker.ack({ id: cmd.id, key: cmd.key, index: e.index }, result.ok);
      this.log(`ack ${cmd.id} ${cmd.op} ${cmd.key} at ${e.index} ok=${result.ok} via ${node.id}`);
    }
  }

  readServed(node: SimNode, rs: ReadState): void {
    const k = requestKey(rs.requestId);
    const p = this.pendingReads.get(k);
    if (p === undefined || p.node !== node.id) return;
    this.pendingReads.delete(k);
    const v = node.kv.get(p.key);
    this.checker.checkRead(node.id, p.key, rs.index, p.floor, v?.index ?? 0);
    this.readResults.push({ node: node.id, key: p.key, value: v?.value, index: rs.index });
    this.log(`read ${p.key}=${v?.value ?? '-'} at ${rs.index} via ${node.id}`);
  }

  send(node: SimNode, msgs: Message[]): void {
    if (this.trace !== undefined) {
      for (const m of msgs) {
        if (m.type === MessageType.VoteResp || m.type === MessageType.PreVoteResp || m.type === MessageType.TimeoutNow) {
          this.log(`${m.from} -> ${m.to} ${MessageType[m.type]} term ${m.term}${m.reject ? ' rejected' : ''}`);
        }
      }
    }
    const lost = this.net.send(this.now, msgs);
    for (const m of lost) this.lostMessage(m);
  }

  private lostMessage(m: Message): void {
    // The sender's transport notices a failed snapshot stream.
    if (m.type === MessageType.Snap) this.nodes.get(m.from)?.raw?.reportSnapshot(m.to, false);
  }

  // ---- time

  step(): void {
    this.now++;
    const { deliver, lost } = this.net.due(this.now);
    for (const m of lost) this.lostMessage(m);
    for (const m of deliver) {
      const to = this.nodes.get(m.to);
      if (to === undefined || !to.alive) {
        this.lostMessage(m);
        continue;
      }
      to.step(m);
      if (m.type === MessageType.Snap) {
        this.stats.snapshotsDelivered++;
        this.nodes.get(m.from)?.raw?.reportSnapshot(m.to, true);
      }
    }
    for (const id of this.ids) {
      if ((this.now + this.phase.get(id)!) % this.tickEvery === 0) this.nodes.get(id)!.tick();
    }
    for (const id of this.ids) {
      const n = this.nodes.get(id)!;
      if (!n.alive) continue;
      n.flushWhileSaving();
      if (this.rand.chance(this.diskRate)) n.processReady();
    }
    this.checker.checkStep([...this.nodes.values()]);
    if (this.trace !== undefined) this.traceRoles();
  }

  run(steps: number): void {
    for (let i = 0; i < steps; i++) this.step();
  }

  /** Steps until `cond` holds or `maxSteps` pass; returns whether it held. */
  runUntil(cond: () => boolean, maxSteps: number): boolean {
    for (let i = 0; i < maxSteps; i++) {
      if (cond()) return true;
      this.step();
    }
    return cond();
  }

  private traceRoles(): void {
    for (const n of this.nodes.values()) {
      const r = n.raw?.raft;
      const s = r === undefined ? 'down' : `${r.role}@${r.term}`;
      if (this.lastRole.get(n.id) !== s) {
        this.lastRole.set(n.id, s);
        this.log(`${n.id} is ${s}${r !== undefined ? ` (last ${r.log.lastIndex()} commit ${r.log.committed})` : ''}`);
      }
    }
  }

  // ---- clients

  newId(prefix: string): string {
    return `${prefix}${this.nextId++}`;
  }

  /** A client proposes through `node`; false if the node refused it at once. */
  propose(node: NodeId, cmd: KvCommand): boolean {
    const n = this.node(node);
    if (n.raw === undefined) return false;
    try {
      n.raw.propose(encodeCommand(cmd));
    } catch (err) {
      if (err instanceof ProposalDroppedError) return false;
      throw err;
    }
    this.pendingProposals.set(cmd.id, { node, cmd });
    this.log(`propose ${cmd.id} ${cmd.op} ${cmd.key}=${cmd.value} via ${node}`);
    return true;
  }

  put(node: NodeId, key: string, value: string): string | undefined {
    const id = this.newId('w');
    return this.propose(node, { id, op: 'put', key, value }) ? id : undefined;
  }

  cas(node: NodeId, key: string, expect: string, value: string): string | undefined {
    const id = this.newId('c');
    return this.propose(node, { id, op: 'cas', key, expect, value }) ? id : undefined;
  }

  /** Starts a ReadIndex read of `key` on `node`. */
  read(node: NodeId, key: string): boolean {
    const n = this.node(node);
    if (n.raw === undefined) return false;
    const id = this.newId('r');
    const reqId = new TextEncoder().encode(id);
    try {
      n.raw.readIndex(reqId);
    } catch (err) {
      if (err instanceof ProposalDroppedError) return false;
      throw err;
    }
    this.pendingReads.set(requestKey(reqId), { node, key, floor: this.checker.readFloor(key) });
    return true;
  }

  isAcked(id: string): boolean {
    return this.results.has(id);
  }

  proposeConfChange(node: NodeId, type: ConfChangeType, target: NodeId): boolean {
    const raw = this.node(node).raw;
    if (raw === undefined) return false;
    try {
      raw.proposeConfChange({ type, node: target });
    } catch (err) {
      if (err instanceof ProposalDroppedError || err instanceof ConfChangeInProgressError) return false;
      throw err;
    }
    this.log(`conf change ${ConfChangeType[type]} ${target} via ${node}`);
    return true;
  }

  // ---- faults

  crash(id: NodeId): void {
    this.node(id).crash();
    this.stats.crashes++;
    for (const [k, p] of this.pendingProposals) if (p.node === id) this.pendingProposals.delete(k);
    for (const [k, p] of this.pendingReads) if (p.node === id) this.pendingReads.delete(k);
    this.log(`crash ${id}`);
  }

  restart(id: NodeId): void {
    const n = this.node(id);
    if (n.alive) return;
    n.start();
    this.stats.restarts++;
    this.log(`restart ${id}`);
  }

  // ---- queries

  leaders(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.isLeader());
  }

  /** The live leader with the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.leaders()) if (best === undefined || n.term > best.term) best = n;
    return best;
  }

  alive(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.alive);
  }

  /** Members of the newest leader's configuration (or the initial voters). */
  members(): NodeId[] {
    const l = this.leader();
    if (l === undefined) return this.ids.filter((id) => this.node(id).conf.voters.includes(id));
    const c = l.conf;
    return [...c.voters, ...c.learners];
  }

  /**
   * Heals everything, restarts crashed nodes, and waits until a fresh write
   * is acknowledged and every member has applied it with identical state.
   * Returns an explanation when the cluster does not converge.
   */
  settle(maxSteps: number): string | undefined {
    this.net.heal();
    this.net.faults = { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 2, longDelay: 0, longDelayMax: 0 };
    for (const id of this.ids) this.restart(id);
    this.log('settle: healed and restarted everything');
    let marker: string | undefined;
    const deadline = this.now + maxSteps;
    while (this.now < deadline) {
      const l = this.leader();
      if (marker === undefined || (!this.isAcked(marker) && this.now % 200 === 0)) {
        if (l !== undefined) marker = this.put(l.id, '__settle', String(this.now)) ?? marker;
      }
      if (marker !== undefined && this.isAcked(marker)) {
        const idx = this.checker.acked.get(marker)!.index;
        const members = this.members();
        const done = members.every((id) => this.node(id).applied >= idx);
        if (done) {
          const digests = new Set(members.map((id) => this.node(id).kv.digest()));
          const applied = new Set(members.map((id) => this.node(id).applied));
          if (applied.size === 1 && digests.size > 1) return 'replicas at the same index hold different state';
          if (applied.size === 1) {
            this.checker.checkAckedWrites();
            this.checker.checkLogMatching([...this.nodes.values()]);
            return undefined;
          }
        }
      }
      this.step();
    }
    const st = [...this.nodes.values()].map((n) => `${n.id}:${n.role ?? 'down'}@${n.term} applied=${n.applied}`).join(' ');
    const pr = this.leader()?.raw?.status().progress;
    return `no convergence after ${maxSteps} steps (${st}) leader progress ${JSON.stringify(pr)}`;
  }

  static roleName(r: Role | undefined): string {
    return r ?? 'down';
  }
}
