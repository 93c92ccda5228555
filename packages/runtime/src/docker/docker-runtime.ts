/**
 * `ContainerRuntime` on the Docker engine through dockerode. A pod is a
 * sandbox (shoal/pause) that owns the network namespace, hostname, DNS
 * config and published host ports; every container of the pod joins it with
 * `NetworkMode: container:<sandbox>`. Everything created is labelled with the
 * owner node, and every read, stop and removal is limited to those labels,
 * so agents sharing one engine never touch each other's containers.
 */
import Docker from 'dockerode';
import { PassThrough, type Readable } from 'node:stream';
import { silentLogger, type Logger } from '@shoal/log';
import { LABEL_OWNER, LABEL_POD_IP, LABEL_POD_UID, LABEL_ROLE, ROLE_CONTAINER, ROLE_SANDBOX } from '../labels.js';
import { ContainerNotFoundError, ExecTimeoutError, ImageNotPresentError, NotOwnedError, RuntimeError, SandboxNotRunningError } from '../errors.js';
import { attemptFromLabels, containerLabels, containerName, podRefFromLabels, sandboxLabels, sandboxName } from '../naming.js';
import type {
  ContainerFilter, ContainerInfo, ContainerRuntime, ContainerSpec, ContainerStats, ExecOptions, ExecResult,
  LogOptions, NodeResources, RunState, RuntimeEvent, SandboxInfo, SandboxNetwork, SandboxSpec, VolumeInfo, VolumeOptions,
} from '../runtime.js';
import { demuxBuffer, FrameSplitter } from './demux.js';
import { subscribeEngineEvents } from './events.js';

export interface DockerRuntimeConfig {
  /** The node whose objects this runtime creates and sees. */
  ownerNode: string;
  /** Default: the local engine's socket. */
  docker?: Docker;
  /**
   * The Docker network sandboxes join. Default `bridge`. With
   * `sandboxNetwork`, only sandboxes publishing host ports join it (Docker
   * publishes them); the others are wired by `sandboxNetwork`.
   */
  network?: string;
  /** Wire pod sandboxes ourselves (CNI-style) rather than through the engine's network. */
  sandboxNetwork?: SandboxNetwork;
  /** Default `shoal/pause:latest`. */
  pauseImage?: string;
  logger?: Logger;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function statusCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

/** The engine's status word (inspect's State.Status, list's State). */
function statusState(status: string | undefined): RunState {
  if (status === 'running' || status === 'restarting' || status === 'paused') return 'running';
  if (status === 'created') return 'created';
  if (status === 'exited' || status === 'dead') return 'exited';
  return 'unknown';
}

function runState(s: Docker.ContainerInspectInfo['State']): RunState {
  return s.Running || s.Restarting || s.Paused ? 'running' : statusState(s.Status);
}

function time(t: string | undefined): string | undefined {
  return t && t !== ZERO_TIME ? t : undefined;
}

export class DockerRuntime implements ContainerRuntime {
  readonly ownerNode: string;
  private readonly docker: Docker;
  private readonly network: string;
  private readonly pauseImage: string;
  private readonly log: Logger;
  private readonly unsubscribers = new Set<() => void>();
  /** Ids this instance created: known to be ours without an inspect. */
  private readonly createdHere = new Set<string>();
  /** The last inspect of each container seen by a list, reused while its state is unchanged. */
  private readonly inspected = new Map<string, Docker.ContainerInspectInfo>();
  private readonly sandboxNet: SandboxNetwork | undefined;
  /**
   * Addresses of this node's wired sandboxes (running or not, until removed)
   * by sandbox id, read from their labels once, then kept up to date here;
   * with `reserved`, the addresses a new sandbox must not get.
   */
  private addresses: Promise<Map<string, { ip: string; seq: number }>> | undefined;
  /** Addresses handed to sandboxes whose create has not returned yet. */
  private readonly reserved = new Set<string>();
  private addressSeq = 0;
  /** Sandboxes between their start and the end of their wiring. */
  private readonly wiring = new Set<string>();
  private readonly unwiredSeen = new Set<string>();

  constructor(cfg: DockerRuntimeConfig) {
    if (!cfg.ownerNode) throw new RuntimeError('DockerRuntime needs an ownerNode');
    this.ownerNode = cfg.ownerNode;
    this.docker = cfg.docker ?? new Docker();
    this.network = cfg.network ?? 'bridge';
    this.pauseImage = cfg.pauseImage ?? 'shoal/pause:latest';
    this.sandboxNet = cfg.sandboxNetwork;
    this.log = (cfg.logger ?? silentLogger).child({ component: 'docker-runtime', node: cfg.ownerNode });
  }

  // ------------------------------------------------------------ helpers

  private ownerFilter(role: string, filter?: ContainerFilter): Record<string, string[]> {
    const label = [`${LABEL_OWNER}=${this.ownerNode}`, `${LABEL_ROLE}=${role}`];
    if (filter?.podUid) label.push(`${LABEL_POD_UID}=${filter.podUid}`);
    return { label };
  }

  /** Inspects `id` and checks this node owns it; undefined when it does not exist. */
  private async inspectOwned(id: string): Promise<Docker.ContainerInspectInfo | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw new RuntimeError(`inspect ${id} failed`, { cause: err });
    }
    const owner = info.Config.Labels?.[LABEL_OWNER];
    // Safety: never act on another agent's container, even given its id.
    if (owner !== this.ownerNode) throw new NotOwnedError(id, owner);
    return info;
  }

  private toSandbox(info: Docker.ContainerInspectInfo): SandboxInfo {
    const labels = info.Config.Labels ?? {};
    let state = runState(info.State);
    const wiredIP = labels[LABEL_POD_IP];
    if (wiredIP && state === 'running' && !this.wiring.has(info.Id) && this.sandboxNet && !this.sandboxNet.attached(info.Id)) {
      // Started but never wired (the agent died half-way through): a pod
      // without its network must get a new sandbox, as if this one had died.
      if (!this.unwiredSeen.has(info.Id)) this.log.warn('sandbox runs without its network; counted as exited', { id: info.Id });
      this.unwiredSeen.add(info.Id);
      state = 'exited';
    }
    const out: SandboxInfo = {
      id: info.Id, pod: podRefFromLabels(labels), attempt: attemptFromLabels(labels), state, labels, createdAt: info.Created,
    };
    const net = info.NetworkSettings.Networks?.[this.network];
    const ip = wiredIP || net?.IPAddress || (info.NetworkSettings as { IPAddress?: string }).IPAddress;
    if (state === 'running' && ip) out.ip = ip;
    return out;
  }

  private toContainer(info: Docker.ContainerInspectInfo): ContainerInfo {
    const labels = info.Config.Labels ?? {};
    const state = runState(info.State);
    const out: ContainerInfo = {
      id: info.Id,
      pod: podRefFromLabels(labels),
      name: labels['io.shoal.container-name'] ?? '',
      attempt: attemptFromLabels(labels),
      image: info.Config.Image,
      state,
      oomKilled: info.State.OOMKilled,
      createdAt: info.Created,
      labels,
    };
    const started = time(info.State.StartedAt);
    if (started) out.startedAt = started;
    if (state === 'exited') {
      out.exitCode = info.State.ExitCode;
      const finished = time(info.State.FinishedAt);
      if (finished) out.finishedAt = finished;
    }
    return out;
  }

  /**
   * Lists this node's containers of one role, inspected. An inspect is reused
   * while the list shows the container in the same state as that inspect did
   * (what a list pass needs of a container changes only with its state: exit
   * code and times, the sandbox's IP), so a pass over a steady node costs one
   * list call, and never waits for the lock of a container being started.
   */
  private async listInspected(role: string, filter?: ContainerFilter): Promise<Docker.ContainerInspectInfo[]> {
    const list = await this.docker.listContainers({ all: true, filters: this.ownerFilter(role, filter) });
    const infos = await Promise.all(list.map(async (c) => {
      const cached = this.inspected.get(c.Id);
      if (cached && runState(cached.State) === statusState(c.State)) return cached;
      try {
        const info = await this.inspectOwned(c.Id);
        if (info) this.inspected.set(c.Id, info);
        return info;
      } catch (err) {
        if (err instanceof NotOwnedError) throw err;
        // Removed between list and inspect, or the engine hiccuped: skip it this time.
        this.log.warn('inspect failed while listing', { id: c.Id, err: String(err) });
        return undefined;
      }
    }));
    if (!filter?.podUid) {
      // Forget containers of this role that are gone.
      const listed = new Set(list.map((c) => c.Id));
      for (const [id, info] of this.inspected) if (info.Config.Labels?.[LABEL_ROLE] === role && !listed.has(id)) this.inspected.delete(id);
    }
    return infos.filter((i): i is Docker.ContainerInspectInfo => i !== undefined);
  }

  private async stop(id: string, graceSeconds: number): Promise<void> {
    const info = await this.inspectOwned(id);
    if (!info || !info.State.Running) return;
    try {
      // Docker sends SIGTERM, waits `t` seconds, then SIGKILL.
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch (err) {
      const code = statusCode(err);
      if (code === 304 || code === 404) return; // already stopped or gone
      throw new RuntimeError(`stop ${id} failed`, { cause: err });
    }
  }

  private async remove(id: string): Promise<void> {
    const info = await this.inspectOwned(id);
    if (!info) return;
    this.createdHere.delete(id);
    this.inspected.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const code = statusCode(err);
      if (code === 404) return;
      // 409 "removal already in progress" counts as removed.
      if (code === 409 && /in progress/.test(String(err))) return;
      throw new RuntimeError(`remove ${id} failed`, { cause: err });
    }
  }

  // ------------------------------------------------------------ sandboxes

  async createSandbox(spec: SandboxSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostPort: string; HostIp?: string }[]> = {};
    for (const p of spec.portMappings) {
      const key = `${p.containerPort}/${p.protocol.toLowerCase()}`;
      exposed[key] = {};
      (bindings[key] ??= []).push(p.hostIP ? { HostPort: String(p.hostPort), HostIp: p.hostIP } : { HostPort: String(p.hostPort) });
    }
    // Host ports are published by the engine, so only its network takes them.
    const ip = this.sandboxNet && !spec.hostNetwork && spec.portMappings.length === 0 ? await this.reserveAddress() : undefined;
    const hostConfig: Docker.HostConfig = spec.hostNetwork
      // The node's own network: Docker refuses a hostname, DNS or port bindings with it.
      ? { NetworkMode: 'host', RestartPolicy: { Name: 'no' }, IpcMode: 'shareable' }
      : ip
        // Loopback only until startSandbox wires it; /etc/hosts names the pod's address as Docker's networks do.
        ? { NetworkMode: 'none', ExtraHosts: [`${spec.hostname}:${ip}`], RestartPolicy: { Name: 'no' }, IpcMode: 'shareable' }
        : { NetworkMode: this.network, PortBindings: bindings, RestartPolicy: { Name: 'no' }, IpcMode: 'shareable' };
    if (spec.dns && !spec.hostNetwork) {
      if (spec.dns.nameservers.length) hostConfig.Dns = spec.dns.nameservers;
      if (spec.dns.searches.length) hostConfig.DnsSearch = spec.dns.searches;
      if (spec.dns.options.length) hostConfig.DnsOptions = spec.dns.options;
    }
    let c: Docker.Container;
    try {
      c = await this.docker.createContainer({
        name: sandboxName(this.ownerNode, spec),
        Image: this.pauseImage,
        ...(spec.hostNetwork ? {} : { Hostname: spec.hostname, ExposedPorts: exposed }),
        Labels: { ...sandboxLabels(this.ownerNode, spec), ...(ip ? { [LABEL_POD_IP]: ip } : {}) },
        HostConfig: hostConfig,
      });
      this.createdHere.add(c.id);
      if (ip) (await this.addresses)?.set(c.id, { ip, seq: ++this.addressSeq });
      return c.id;
    } catch (err) {
      if (statusCode(err) === 404 && /image/i.test(String(err))) throw new ImageNotPresentError(this.pauseImage, { cause: err });
      throw new RuntimeError(`cannot create sandbox for pod ${spec.pod.namespace}/${spec.pod.name}: ${(err as Error).message}`, { cause: err });
    } finally {
      if (ip) this.reserved.delete(ip);
    }
  }

  /** The wired sandboxes' addresses by id, from their labels. */
  private async loadAddresses(): Promise<Map<string, { ip: string; seq: number }>> {
    const seq = this.addressSeq;
    const list = await this.docker.listContainers({ all: true, filters: this.ownerFilter(ROLE_SANDBOX) });
    const out = new Map<string, { ip: string; seq: number }>();
    for (const c of list) {
      const ip = c.Labels?.[LABEL_POD_IP];
      if (ip) out.set(c.Id, { ip, seq });
    }
    return out;
  }

  /**
   * An address for a new wired sandbox, held in `reserved` until its create
   * returns. When none is left, the labels are read again once (a sandbox
   * removed behind our back frees its address), keeping what was created
   * while that list ran.
   */
  private async reserveAddress(): Promise<string> {
    const net = this.sandboxNet!;
    const pick = async (): Promise<string | undefined> => {
      let byId: Map<string, { ip: string; seq: number }>;
      try {
        byId = await (this.addresses ??= this.loadAddresses());
      } catch (err) {
        this.addresses = undefined;
        throw new RuntimeError('cannot list sandboxes to find a free pod address', { cause: err });
      }
      const inUse = new Set(this.reserved);
      for (const a of byId.values()) inUse.add(a.ip);
      const ip = net.nextAddress(inUse);
      if (ip) this.reserved.add(ip);
      return ip;
    };
    const first = await pick();
    if (first) return first;
    const before = this.addressSeq;
    const old = this.addresses ? await this.addresses : new Map<string, { ip: string; seq: number }>();
    const fresh = this.loadAddresses();
    this.addresses = fresh.then((m) => {
      for (const [id, a] of old) if (a.seq > before) m.set(id, a);
      return m;
    });
    const second = await pick();
    if (second) return second;
    throw new RuntimeError(`no free pod address on node ${this.ownerNode}: every address of its range is taken`);
  }

  async startSandbox(id: string): Promise<SandboxInfo> {
    if (!this.createdHere.has(id) && !(await this.inspectOwned(id))) throw new ContainerNotFoundError(id);
    // From the start until the wiring is done, a list sees it running, not half-wired.
    this.wiring.add(id);
    try {
      try {
        await this.docker.getContainer(id).start();
      } catch (err) {
        if (statusCode(err) !== 304) throw new RuntimeError(`cannot start sandbox ${id}: ${(err as Error).message}`, { cause: err });
      }
      const info = await this.inspectOwned(id);
      if (!info) throw new ContainerNotFoundError(id);
      const ip = info.Config.Labels?.[LABEL_POD_IP];
      if (ip && this.sandboxNet && info.State.Running && !this.sandboxNet.attached(id)) {
        try {
          await this.sandboxNet.attach(id, info.State.Pid, ip);
        } catch (err) {
          // A sandbox without its network is no use: stop it, so the pod gets a new one.
          await this.docker.getContainer(id).kill().catch(() => undefined);
          this.inspected.delete(id);
          throw new RuntimeError(`cannot wire the network of sandbox ${id} (${ip}): ${(err as Error).message}`, { cause: err });
        }
      }
      return this.toSandbox(info);
    } finally {
      this.wiring.delete(id);
    }
  }

  stopSandbox(id: string, graceSeconds: number): Promise<void> {
    return this.stop(id, graceSeconds);
  }

  async removeSandbox(id: string): Promise<void> {
    await this.remove(id);
    this.unwiredSeen.delete(id);
    (await this.addresses?.catch(() => undefined))?.delete(id);
  }

  async inspectSandbox(id: string): Promise<SandboxInfo | undefined> {
    const info = await this.inspectOwned(id);
    return info && info.Config.Labels?.[LABEL_ROLE] === ROLE_SANDBOX ? this.toSandbox(info) : undefined;
  }

  async listSandboxes(filter?: ContainerFilter): Promise<SandboxInfo[]> {
    return (await this.listInspected(ROLE_SANDBOX, filter)).map((i) => this.toSandbox(i));
  }

  // ------------------------------------------------------------ containers

  /**
   * The sandbox's owner and state from the engine's container list, which
   * (unlike inspect) does not wait for the container's lock: a sandbox being
   * started holds that lock for the whole network set-up, and the pod's first
   * containers are created meanwhile. Falls back to inspect when the list does
   * not show it (gone, or not ours).
   */
  private async sandboxState(sandboxId: string): Promise<RunState | undefined> {
    const [c] = (await this.docker.listContainers({ all: true, filters: { id: [sandboxId] } })).filter((x) => x.Id === sandboxId);
    if (!c) {
      const info = await this.inspectOwned(sandboxId);
      return info ? runState(info.State) : undefined;
    }
    const owner = c.Labels?.[LABEL_OWNER];
    if (owner !== this.ownerNode) throw new NotOwnedError(sandboxId, owner);
    return statusState(c.State);
  }

  async createContainer(sandboxId: string, spec: ContainerSpec): Promise<string> {
    const state = await this.sandboxState(sandboxId);
    // A sandbox being set up (created, not yet started) may take containers already.
    if (!state || state === 'exited') throw new SandboxNotRunningError(sandboxId);
    const r = spec.resources;
    const hostConfig: Docker.HostConfig = {
      // Join the sandbox: same network namespace (localhost, IP, ports), hostname, resolv.conf and IPC.
      NetworkMode: `container:${sandboxId}`,
      IpcMode: `container:${sandboxId}`,
      RestartPolicy: { Name: 'no' },
      Mounts: spec.mounts.map((m): Docker.MountSettings =>
        m.type === 'tmpfs'
          ? { Type: 'tmpfs', Source: '', Target: m.target, ...(m.sizeBytes ? { TmpfsOptions: { SizeBytes: m.sizeBytes, Mode: 0o1777 } } : {}) }
          : { Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly },
      ),
    };
    if (r.nanoCpus !== undefined) hostConfig.NanoCpus = r.nanoCpus;
    if (r.cpuShares !== undefined) hostConfig.CpuShares = r.cpuShares;
    if (r.memoryBytes !== undefined) {
      hostConfig.Memory = r.memoryBytes;
      // No swap beyond the limit: the limit is what the OOM killer enforces.
      hostConfig.MemorySwap = r.memoryBytes;
    }
    if (r.memoryReservationBytes !== undefined && (r.memoryBytes === undefined || r.memoryReservationBytes <= r.memoryBytes)) {
      hostConfig.MemoryReservation = r.memoryReservationBytes;
    }
    const opts: Docker.ContainerCreateOptions = {
      name: containerName(this.ownerNode, spec),
      Image: spec.image,
      Env: spec.env,
      Labels: containerLabels(this.ownerNode, spec),
      Tty: spec.tty ?? false,
      OpenStdin: spec.stdin ?? false,
      HostConfig: hostConfig,
    };
    if (spec.entrypoint) opts.Entrypoint = spec.entrypoint;
    if (spec.cmd) opts.Cmd = spec.cmd;
    if (spec.workingDir) opts.WorkingDir = spec.workingDir;
    try {
      const c = await this.docker.createContainer(opts);
      this.createdHere.add(c.id);
      return c.id;
    } catch (err) {
      if (statusCode(err) === 404 && /image/i.test(String(err))) throw new ImageNotPresentError(spec.image, { cause: err });
      throw new RuntimeError(`cannot create container ${spec.name} of ${spec.pod.namespace}/${spec.pod.name}: ${(err as Error).message}`, { cause: err });
    }
  }

  async startContainer(id: string): Promise<void> {
    // Ownership: created by this runtime a moment ago, or checked by inspecting it.
    if (!this.createdHere.has(id) && !(await this.inspectOwned(id))) throw new ContainerNotFoundError(id);
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (statusCode(err) === 304) return;
      throw new RuntimeError(`cannot start container ${id}: ${(err as Error).message}`, { cause: err });
    }
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    return this.stop(id, graceSeconds);
  }

  removeContainer(id: string): Promise<void> {
    return this.remove(id);
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    const info = await this.inspectOwned(id);
    return info && info.Config.Labels?.[LABEL_ROLE] === ROLE_CONTAINER ? this.toContainer(info) : undefined;
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerInfo[]> {
    return (await this.listInspected(ROLE_CONTAINER, filter)).map((i) => this.toContainer(i));
  }

  // ------------------------------------------------------------ logs, exec, stats

  async logs(id: string, opts: LogOptions = {}): Promise<Readable> {
    const info = await this.inspectOwned(id);
    if (!info) throw new ContainerNotFoundError(id);
    const c = this.docker.getContainer(id);
    const base = { stdout: true, stderr: true, timestamps: opts.timestamps ?? false, ...(opts.tail !== undefined ? { tail: opts.tail } : {}) };
    const out = new PassThrough();
    if (!opts.follow) {
      const buf = (await c.logs({ ...base, follow: false })) as unknown as Buffer;
      out.end(info.Config.Tty ? buf : Buffer.concat(demuxBuffer(buf).all));
      return out;
    }
    const stream = (await c.logs({ ...base, follow: true })) as unknown as Readable;
    const splitter = new FrameSplitter((_s, payload) => out.write(payload));
    stream.on('data', (chunk: Buffer) => (info.Config.Tty ? out.write(chunk) : splitter.push(chunk)));
    stream.on('end', () => out.end());
    stream.on('error', (err) => out.destroy(err));
    // The reader going away stops the engine's stream too.
    out.on('close', () => stream.destroy());
    return out;
  }

  async exec(id: string, cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const info = await this.inspectOwned(id);
    if (!info) throw new ContainerNotFoundError(id);
    if (!info.State.Running) throw new RuntimeError(`container ${id} is not running`);
    const ex = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false });
    const stream = (await ex.start({ hijack: true, stdin: false })) as unknown as Readable;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const splitter = new FrameSplitter((s, p) => (s === 2 ? err : out).push(p));
    await new Promise<void>((resolve, reject) => {
      const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
        stream.destroy();
        reject(new ExecTimeoutError(id, opts.timeoutMs ?? 0));
      }, opts.timeoutMs);
      stream.on('data', (chunk: Buffer) => splitter.push(chunk));
      // A hijacked exec stream is a raw duplex socket: close our side too.
      stream.on('end', () => { clearTimeout(timer); stream.destroy(); resolve(); });
      stream.on('close', () => { clearTimeout(timer); resolve(); });
      stream.on('error', (e) => { clearTimeout(timer); reject(new RuntimeError(`exec in ${id} failed`, { cause: e })); });
    });
    // The stream can end a moment before the engine records the exit code.
    let exitCode: number | null = null;
    for (let i = 0; i < 50; i++) {
      const r = await ex.inspect();
      if (!r.Running && r.ExitCode !== null) { exitCode = r.ExitCode; break; }
      await new Promise((res) => setTimeout(res, 20));
    }
    return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode: exitCode ?? -1 };
  }

  async stats(id: string): Promise<ContainerStats> {
    const info = await this.inspectOwned(id);
    if (!info) throw new ContainerNotFoundError(id);
    const s = (await this.docker.getContainer(id).stats({ stream: false })) as unknown as {
      cpu_stats?: { cpu_usage?: { total_usage?: number } };
      memory_stats?: { usage?: number; limit?: number };
    };
    const out: ContainerStats = { cpuUsageNanos: s.cpu_stats?.cpu_usage?.total_usage ?? 0, memoryUsageBytes: s.memory_stats?.usage ?? 0 };
    const limit = info.HostConfig.Memory;
    if (limit) out.memoryLimitBytes = limit;
    return out;
  }

  // ------------------------------------------------------------ events

  subscribe(cb: (e: RuntimeEvent) => void): () => void {
    const off = subscribeEngineEvents(this.docker, this.ownerNode, this.log, (e) => {
      // A start, die or OOM changes what an inspect says even when the state word looks the same.
      this.inspected.delete(e.containerId);
      cb(e);
    });
    const unsubscribe = () => {
      off();
      this.unsubscribers.delete(unsubscribe);
    };
    this.unsubscribers.add(unsubscribe);
    return unsubscribe;
  }

  // ------------------------------------------------------------ images, volumes, node

  async hasImage(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch (err) {
      if (statusCode(err) === 404) return false;
      throw new RuntimeError(`image inspect ${ref} failed`, { cause: err });
    }
  }

  async createVolume(name: string, vo: VolumeOptions = {}): Promise<void> {
    const opts: { Name: string; Labels: Record<string, string>; DriverOpts?: Record<string, string> } = {
      Name: name, Labels: { ...vo.labels, [LABEL_OWNER]: this.ownerNode },
    };
    if (vo.tmpfs) opts.DriverOpts = { type: 'tmpfs', device: 'tmpfs' };
    try {
      await this.docker.createVolume(opts);
    } catch (err) {
      throw new RuntimeError(`cannot create volume ${name}`, { cause: err });
    }
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    const r = await this.docker.listVolumes({ filters: { label: [`${LABEL_OWNER}=${this.ownerNode}`] } });
    return (r.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
  }

  async removeVolume(name: string): Promise<void> {
    let labels: Record<string, string> | undefined;
    try {
      labels = ((await this.docker.getVolume(name).inspect()) as { Labels?: Record<string, string> }).Labels ?? {};
    } catch (err) {
      if (statusCode(err) === 404) return;
      throw new RuntimeError(`cannot inspect volume ${name}`, { cause: err });
    }
    if (labels[LABEL_OWNER] !== this.ownerNode) throw new NotOwnedError(name, labels[LABEL_OWNER]);
    try {
      await this.docker.getVolume(name).remove();
    } catch (err) {
      if (statusCode(err) === 404) return;
      throw new RuntimeError(`cannot remove volume ${name}`, { cause: err });
    }
  }

  async nodeResources(): Promise<NodeResources> {
    const i = (await this.docker.info()) as { NCPU: number; MemTotal: number; ServerVersion: string; OSType: string; Architecture: string };
    return { cpus: i.NCPU, memoryBytes: i.MemTotal, runtimeVersion: `docker://${i.ServerVersion}`, operatingSystem: i.OSType, architecture: i.Architecture };
  }

  async close(): Promise<void> {
    for (const u of [...this.unsubscribers]) u();
  }
}
