/**
 * ShoalDaemon: the composition root of one node. It wires the packages
 * together (store, Raft, transport, gossip, agent, network, leader loops),
 * serves the gRPC API and /metrics, and starts and stops them in order.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { cpus, totalmem } from 'node:os';
import { cpuMillis, memoryBytes } from '@shoal/api';
import { Agent } from '@shoal/agent';
import { API_PROTO_FILE, loadShoalProto, PROTO_LOADER_OPTIONS, protoDir } from '@shoal/client';
import { ControllerManager, defaultControllers, type NodeLiveness } from '@shoal/controllers';
import { encodeNodeMeta, decodeNodeMeta, GossipNode, type MemberInfo } from '@shoal/gossip';
import type { Logger } from '@shoal/log';
import { RaftNode } from '@shoal/raft';
import { DockerRuntime, type ContainerRuntime, type SandboxNetwork } from '@shoal/runtime';
import { ObjectStore } from '@shoal/state';
import { LevelLogStore } from '@shoal/storage';
import { ensureBridgeNetwork, IptablesNetfilter, networkSettings, NodeNetwork, seededRand, VethSandboxNetwork, type NetworkSettings } from '@shoal/network';
import Docker from 'dockerode';
import { GrpcTransport, RAFT_PROTO_PATH } from '@shoal/transport';
import type { DaemonConfig, NodeSettings } from './config.js';
import { ClusterWriter } from './cluster-writer.js';
import { DaemonMetrics } from './metrics.js';
import { LeaderRole, type Stoppable } from './leader-role.js';
import { StoreStateMachine } from './store-state-machine.js';
import { agentSource, StoreAgentSink } from './agent-bridge.js';
import { subscribeChanges } from './store-changes.js';
import { SchedulerLoop } from './leader/scheduler-loop.js';
import { AutopilotLoop } from './leader/autopilot-loop.js';
import type { ApiContext } from './api/context.js';
import { objectService } from './api/object-service.js';
import { adminService, type MemberView } from './api/admin-service.js';
import { podService } from './api/pod-service.js';

export const SHOAL_VERSION = '0.1.0';

export interface DaemonOptions {
  config: DaemonConfig;
  logger: Logger;
  /** Override the container runtime (tests); default Docker. `null` runs no agent. */
  runtime?: ContainerRuntime | null;
}

export class ShoalDaemon {
  readonly config: DaemonConfig;
  readonly self: NodeSettings;
  readonly store: ObjectStore;
  readonly metrics: DaemonMetrics;
  private readonly log: Logger;
  private raft!: RaftNode;
  private transport!: GrpcTransport;
  private server!: grpc.Server;
  private health!: HealthImplementation;
  private gossip!: GossipNode;
  /** Set when stop() begins: gossip stops before Raft, whose handlers must not use it then. */
  private stopping = false;
  private agent: Agent | undefined;
  private writer!: ClusterWriter;
  private role!: LeaderRole;
  private podApi: { close(): void } | undefined;
  private network: NodeNetwork | undefined;
  private readonly netSettings: NetworkSettings;
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  private metricsTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: DaemonOptions) {
    this.config = opts.config;
    this.self = opts.config.self;
    this.log = opts.logger.child({ node: this.self.name });
    this.metrics = new DaemonMetrics({ node: this.self.name });
    this.netSettings = networkSettings({
      node: this.self.name,
      nodeIndex: this.config.nodes.findIndex((n) => n.name === this.self.name) + 1,
      nodeAddress: this.self.address,
      serviceCIDR: this.config.cluster.serviceCIDR,
      podSubnet: this.config.cluster.podSubnet,
      bridgeNetwork: this.config.cluster.bridgeNetwork,
      clusterDomain: this.config.cluster.clusterDomain,
    });
    this.store = new ObjectStore({
      serviceCIDR: this.config.cluster.serviceCIDR,
      nodePortRange: this.config.cluster.nodePortRange,
      onWatcherError: (err) => this.log.warn('a watcher failed and was closed', { err: String(err) }),
    });
  }

  get apiAddress(): string {
    return `${this.self.address}:${this.self.apiPort}`;
  }

  /** The API address of a node, from the config or from gossip. */
  apiAddressOf(name: string): string | undefined {
    const n = this.config.nodes.find((x) => x.name === name);
    if (n) return `${n.address}:${n.apiPort}`;
    const m = this.gossip?.members().find((x) => x.name === name);
    return m ? decodeNodeMeta(m.meta).apiAddress || undefined : undefined;
  }

  async start(): Promise<void> {
    const { config, self, log } = this;
    mkdirSync(self.dataDir, { recursive: true });
    await this.metrics.listen(self.address, self.metricsPort);
    this.cleanups.push(() => this.metrics.close());

    // ---- Raft over the object store
    this.transport = new GrpcTransport({ id: self.name, clusterId: config.cluster.id, logger: log });
    for (const n of config.nodes) if (n.name !== self.name) this.transport.addPeer(n.name, `${n.address}:${n.apiPort}`);
    const sm = new StoreStateMachine(this.store, log, (rev) => this.metrics.storeRevision.set(rev));
    this.raft = new RaftNode({
      id: self.name,
      peers: bootstrapVoters(config),
      logStore: new LevelLogStore(join(self.dataDir, 'raft')),
      transport: this.transport,
      stateMachine: sm,
      logger: log,
      tickMs: config.timing.raftTickMs,
      heartbeatMs: config.timing.raftTickMs * config.timing.heartbeatTicks,
      electionMs: config.timing.raftTickMs * config.timing.electionTicks,
      snapshotEntries: config.timing.snapshotEntries,
      snapshotLogRatio: config.timing.snapshotLogPercent / 100,
      snapshotCatchUpEntries: config.timing.snapshotCatchUpEntries,
    });
    this.writer = new ClusterWriter({ raft: this.raft, metrics: this.metrics });
    this.metrics.readRaftFrom(() => this.raft.metrics());

    // ---- gRPC: client API and peer API on one port
    // Channelz (per-call bookkeeping nobody reads here) is off: it cost about 2% of a busy node's CPU.
    this.server = new grpc.Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024, 'grpc.max_send_message_length': 8 * 1024 * 1024, 'grpc.enable_channelz': 0 });
    this.transport.register(this.server);
    const ctx: ApiContext = {
      store: this.store,
      writer: this.writer,
      readBarrier: () => this.raft.readBarrier(),
      leaderApiAddress: () => {
        const l = this.raft.status().leader;
        return l ? this.apiAddressOf(l) : undefined;
      },
      metrics: this.metrics,
      log: log.child({ component: 'api' }),
      bookmarkIntervalMs: 5_000,
    };
    const proto = loadShoalProto();
    this.server.addService(proto.ObjectService.service, objectService(ctx));
    this.server.addService(
      proto.AdminService.service,
      adminService(ctx, {
        raft: this.raft,
        store: this.store,
        members: () => this.memberViews(),
        apiAddressOf: (id) => this.apiAddressOf(id),
        addPeer: (id, addr) => this.transport.addPeer(id, addr),
        snapshot: () => this.raft.snapshotNow(),
      }),
    );
    const pods = podService(ctx, { store: this.store, nodeName: self.name, agent: () => this.agent, apiAddressOf: (n) => this.apiAddressOf(n) });
    this.podApi = pods;
    this.server.addService(proto.PodService.service, pods.service);
    this.health = new HealthImplementation({ '': 'NOT_SERVING' });
    this.health.addToServer(this.server);
    const defs = protoLoader.loadSync([API_PROTO_FILE, RAFT_PROTO_PATH], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir()] });
    new ReflectionService(defs).addToServer(this.server);
    await new Promise<void>((resolve, reject) =>
      this.server.bindAsync(this.apiAddress, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(new Error(`cannot listen on ${this.apiAddress}: ${err.message}`)) : resolve())),
    );

    await this.raft.start();

    // ---- gossip
    this.gossip = new GossipNode({
      name: self.name,
      bindAddress: self.address,
      bindPort: self.gossipPort,
      meta: encodeNodeMeta(this.nodeMeta('none')),
      profile: config.cluster.profile,
      clusterId: config.cluster.id,
      logger: log,
    });
    await this.gossip.start();
    this.gossip.on('event', (e) => {
      const meta = decodeNodeMeta(e.member.meta);
      if ((e.type === 'join' || e.type === 'update' || e.type === 'alive') && meta.peerAddress && e.member.name !== self.name) {
        this.transport.addPeer(e.member.name, meta.peerAddress);
      }
      if (e.type !== 'update') log.info('member event', { member: e.member.name, event: e.type, incarnation: e.member.incarnation });
    });
    const seeds = config.nodes.filter((n) => n.name !== self.name).map((n) => `${n.address}:${n.gossipPort}`);
    if (seeds.length) void this.gossip.join(seeds).catch((err: unknown) => log.warn('gossip join gave up', { err: String(err) }));

    // ---- leader-only loops follow Raft leadership
    this.role = new LeaderRole(() => this.startLeaderLoops(), log.child({ component: 'leader' }));
    this.raft.onLeaderChange((leader, term) => {
      log.info('leader changed', { leader, term });
      void this.role.set(leader === self.name);
      this.publishMeta();
    });
    this.raft.onConfChange(() => this.publishMeta());
    // Leadership won before the handler above was registered is not missed.
    void this.role.set(this.raft.status().leader === self.name);

    // ---- the agent: this node's pods -> containers, on the pod bridge, with service discovery
    let runtime = this.opts.runtime;
    if (runtime === undefined) {
      const sandboxNetwork = await this.startNetwork();
      runtime = new DockerRuntime({ ownerNode: self.name, logger: log, network: this.netSettings.bridgeNetwork, ...(sandboxNetwork ? { sandboxNetwork } : {}) });
    }
    if (runtime) {
      this.agent = new Agent({
        nodeName: self.name,
        runtime,
        source: agentSource(this.store, self.name),
        sink: new StoreAgentSink(this.store, this.writer, self.name, self.labels, log),
        dataDir: join(self.dataDir, 'agent'),
        hostIP: self.address,
        logger: log,
        ...(this.network ? { hooks: { serviceEnv: this.network.serviceEnv, dns: this.network.dns } } : {}),
        backoffBaseMs: config.timing.backoffInitialMs,
        backoffMaxMs: config.timing.backoffMaxMs,
        nodeStatusMs: config.timing.nodeStatusMs,
        ...capacityOverrides(self),
      });
      await this.agent.start();
    }

    this.metricsTimer = setInterval(() => this.sampleMetrics(), 1_000);
    this.health.setStatus('', 'SERVING');
    log.info('shoald started', { api: this.apiAddress, gossip: `${self.address}:${self.gossipPort}`, metrics: self.metricsPort ? `http://${self.address}:${self.metricsPort}/metrics` : 'off' });
  }

  /**
   * Services for this node's pods: the shared pod bridge, the DNS server, the
   * proxy and the VIP rules, kept in step with the store.
   */
  private async startNetwork(): Promise<SandboxNetwork | undefined> {
    const s = this.netSettings;
    const log = this.log;
    const { bridge } = await ensureBridgeNetwork(new Docker(), { name: s.bridgeNetwork, subnet: s.podSubnet, gateway: s.gateway, logger: log });
    let wiring: VethSandboxNetwork | undefined;
    if (this.config.cluster.podWiring === 'veth') {
      wiring = new VethSandboxNetwork({ bridge, nodeCIDR: s.nodeCIDR, podSubnet: s.podSubnet, gateway: s.gateway });
      try {
        await wiring.check();
      } catch (err) {
        // Without `ip` or `nsenter` the engine wires pods, as with podWiring: docker.
        log.warn('cannot wire pods with veth pairs; using the Docker network', { err: String(err) });
        wiring = undefined;
      }
    }
    const net = new NodeNetwork({
      ...s,
      view: () => this.store,
      netfilter: new IptablesNetfilter(),
      logger: log,
      rand: seededRand(Date.now() % 2 ** 31),
      now: () => Date.now(),
    });
    await net.start();
    this.network = net;
    const sync = (): void => void net.sync().catch((err: unknown) => log.warn('network sync failed', { err: String(err) }));
    const unsubscribe = subscribeChanges(this.store, sync, ['Service', 'Endpoints', 'Pod'], sync);
    this.cleanups.push(async () => {
      unsubscribe();
      await net.stop();
    });
    return wiring;
  }

  private nodeMeta(role?: 'voter' | 'learner' | 'none') {
    const st = this.raft?.status();
    const r = role ?? (st?.conf.voters.includes(this.self.name) ? 'voter' : st?.conf.learners.includes(this.self.name) ? 'learner' : 'none');
    const cap = capacityOverrides(this.self);
    return {
      name: this.self.name,
      peerAddress: this.apiAddress,
      apiAddress: this.apiAddress,
      cpuMillis: cpus().length * 1000 - (cap.reservedCpuMillis ?? 0),
      memoryBytes: totalmem(),
      labels: this.self.labels,
      taints: [],
      version: SHOAL_VERSION,
      raftRole: r,
    };
  }

  private memberViews(): MemberView[] {
    return this.gossip.members().map((m) => {
      const meta = decodeNodeMeta(m.meta);
      return { id: m.name, apiAddress: meta.apiAddress, gossipAddress: m.address, state: m.state, incarnation: m.incarnation, meta: m.meta };
    });
  }

  /** Gossip's view of a node, with the time it entered its state on the wall clock. */
  private liveness(name: string): NodeLiveness | undefined {
    if (name === this.self.name) return { state: 'alive', since: 0 };
    const m: MemberInfo | undefined = this.gossip.members().find((x) => x.name === name);
    if (!m) return undefined;
    return { state: m.state as NodeLiveness['state'], since: Date.now() - (this.gossip.now() - m.stateSince) };
  }

  private async startLeaderLoops(): Promise<Stoppable> {
    const log = this.log.child({ component: 'leader' });
    const manager = new ControllerManager({
      controllers: defaultControllers(),
      view: () => this.store,
      changes: { onChange: (cb) => subscribeChanges(this.store, cb) },
      execute: (actions) => this.writer.execute(actions),
      config: { defaultTolerationSeconds: this.config.timing.podEvictionSeconds },
      nodeLiveness: (n) => this.liveness(n),
      logger: log,
    });
    const scheduler = new SchedulerLoop({ store: this.store, execute: (a) => this.writer.execute(a), log });
    const autopilot = new AutopilotLoop({
      raft: this.raft,
      members: () => this.gossip.members().map((m) => ({ name: m.name, state: m.state, stateSince: m.stateSince })),
      clock: () => this.gossip.now(),
      targetVoters: this.config.cluster.targetVoters,
      deadVoterGraceMs: this.config.timing.deadVoterGraceMs,
      addressOf: (n) => {
        const m = this.gossip.members().find((x) => x.name === n);
        return m ? decodeNodeMeta(m.meta).peerAddress || undefined : this.apiAddressOf(n);
      },
      addPeer: (n, a) => this.transport.addPeer(n, a),
      log,
    });
    // Wait until this leader has applied everything committed before it: a new
    // leader resumes from state alone, so it must first see all of it.
    await this.raft.readBarrier().catch(() => undefined);
    manager.start();
    // Liveness comes from gossip, not from the store: wake node lifecycle on every change of it.
    const onMember = (e: { type: string; member: MemberInfo }) => {
      if (e.type !== 'update') manager.enqueue('node-lifecycle', { kind: 'Node', namespace: '', name: e.member.name });
    };
    this.gossip.on('event', onMember);
    scheduler.start();
    autopilot.start();
    this.metrics.raftIsLeader.set(1);
    return {
      stop: async () => {
        this.gossip.off('event', onMember);
        this.metrics.raftIsLeader.set(0);
        await autopilot.stop();
        await scheduler.stop();
        await manager.stop();
      },
    };
  }

  private sampleMetrics(): void {
    const st = this.raft.status();
    this.metrics.raftTerm.set(st.term);
    this.metrics.raftCommit.set(st.commit);
    this.metrics.raftApplied.set(st.applied);
    const counts: Record<string, number> = {};
    for (const m of this.gossip.members()) counts[m.state] = (counts[m.state] ?? 0) + 1;
    for (const s of ['alive', 'suspect', 'dead', 'left']) this.metrics.members.set({ state: s }, counts[s] ?? 0);
    this.metrics.pods.set(this.store.podsOnNode(this.self.name).length);
  }

  /** Stops everything this daemon started; containers keep running (a restart adopts them). */
  /** Gossips this node's metadata (role, Raft membership); not once stopping has begun. */
  private publishMeta(): void {
    if (!this.stopping) this.gossip.updateMeta(encodeNodeMeta(this.nodeMeta()));
  }

  async stop(): Promise<void> {
    const log = this.log;
    this.stopping = true;
    log.info('shoald stopping');
    this.health?.setStatus('', 'NOT_SERVING');
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    const step = async (what: string, fn: () => Promise<unknown> | unknown) => {
      try {
        await fn();
      } catch (err) {
        log.warn(`stopping ${what} failed`, { err: String(err) });
      }
    };
    await step('leader loops', () => this.role?.stop());
    await step('agent', () => this.agent?.stop());
    await step('gossip', () => this.gossip?.stop());
    this.podApi?.close();
    await step('grpc server', () => new Promise<void>((r) => {
      const t = setTimeout(() => {
        this.server.forceShutdown();
        r();
      }, 2_000);
      this.server.tryShutdown(() => {
        clearTimeout(t);
        r();
      });
    }));
    await step('raft', () => this.raft?.stop());
    for (const c of this.cleanups.reverse()) await step('cleanup', c);
    log.info('shoald stopped');
  }
}

/** The voters of a brand-new cluster: the first `targetVoters` nodes of the config. */
export function bootstrapVoters(config: DaemonConfig): string[] {
  return config.nodes.slice(0, config.cluster.targetVoters).map((n) => n.name);
}

function capacityOverrides(self: NodeSettings): { reservedCpuMillis?: number; reservedMemoryBytes?: number; maxPods?: number } {
  const out: { reservedCpuMillis?: number; reservedMemoryBytes?: number; maxPods?: number } = {};
  const c = self.capacity;
  if (c['cpu'] !== undefined) out.reservedCpuMillis = Math.max(0, cpus().length * 1000 - cpuMillis(c['cpu']));
  if (c['memory'] !== undefined) out.reservedMemoryBytes = Math.max(0, totalmem() - memoryBytes(c['memory']));
  if (c['pods'] !== undefined) out.maxPods = Number(c['pods']);
  return out;
}
