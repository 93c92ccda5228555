/**
 * `ContainerRuntime` in memory, for unit and simulation tests. A `FakeEngine`
 * plays the Docker engine (several runtimes with different owner nodes may
 * share one, as agents share one engine in the local cluster); a
 * `FakeRuntime` is one node's scoped view of it. What a container "does" is
 * decided by the engine's `program` function (exit code, delay, OOM, log
 * lines, ignoring SIGTERM), and tests can end containers at will.
 */
import { PassThrough, type Readable } from 'node:stream';
import { LABEL_OWNER, LABEL_POD_UID, LABEL_ROLE, ROLE_CONTAINER, ROLE_SANDBOX } from '../labels.js';
import { ContainerNotFoundError, ImageNotPresentError, NotOwnedError, RuntimeError, SandboxNotRunningError } from '../errors.js';
import { attemptFromLabels, containerLabels, containerName, podRefFromLabels, sandboxLabels, sandboxName } from '../naming.js';
import type {
  ContainerFilter, ContainerInfo, ContainerRuntime, ContainerSpec, ContainerStats, ExecOptions, ExecResult,
  LogOptions, NodeResources, RunState, RuntimeEvent, SandboxInfo, SandboxSpec, VolumeInfo, VolumeOptions,
} from '../runtime.js';

/** What a fake container does once started. Default: runs until stopped. */
export interface FakeProgram {
  /** Lines written to its log at start. */
  logs?: string[];
  /** Exit by itself with this code... */
  exitCode?: number;
  /** ...after this many milliseconds (0: during start). */
  exitAfterMs?: number;
  /** The exit is an OOM kill (exit code 137 unless `exitCode` says otherwise). */
  oomKilled?: boolean;
  /** Ignores SIGTERM: a stop waits the whole grace period, then kills (exit 137). */
  ignoreTerm?: boolean;
  /** Exit code on SIGTERM when it does not ignore it. Default 143. */
  termExitCode?: number;
}

export interface FakeRecord {
  id: string;
  name: string;
  labels: Record<string, string>;
  image: string;
  spec?: ContainerSpec;
  sandboxId?: string;
  state: RunState;
  exitCode?: number;
  oomKilled: boolean;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  ip?: string;
  log: Buffer[];
  program: FakeProgram;
  timer?: { cancel(): void };
}

export interface FakeEngineConfig {
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** Runs `fn` after `ms`; returns a canceller. Default setTimeout. */
  schedule?: (fn: () => void, ms: number) => { cancel(): void };
  images?: string[];
  program?: (spec: ContainerSpec) => FakeProgram;
  exec?: (c: FakeRecord, cmd: string[]) => ExecResult | Promise<ExecResult>;
  resources?: NodeResources;
}

type Op = 'createSandbox' | 'startSandbox' | 'createContainer' | 'startContainer' | 'stopContainer' | 'removeContainer' | 'stopSandbox' | 'removeSandbox' | 'exec';

/** The shared in-memory "engine". */
export class FakeEngine {
  readonly records = new Map<string, FakeRecord>();
  readonly volumes = new Map<string, VolumeInfo & { tmpfs: boolean }>();
  readonly images: Set<string>;
  /** Every mutating call, in order: `op id-or-name`. */
  readonly calls: string[] = [];
  now: () => number;
  schedule: (fn: () => void, ms: number) => { cancel(): void };
  program: (spec: ContainerSpec) => FakeProgram;
  execHandler: (c: FakeRecord, cmd: string[]) => ExecResult | Promise<ExecResult>;
  resources: NodeResources;
  private seq = 0;
  private nextIp = 2;
  private readonly listeners = new Set<(owner: string, e: RuntimeEvent) => void>();
  private readonly logWaiters = new Map<string, Set<PassThrough>>();
  private readonly failures = new Map<Op, Error[]>();

  constructor(cfg: FakeEngineConfig = {}) {
    this.now = cfg.now ?? (() => Date.now());
    this.schedule = cfg.schedule ?? ((fn, ms) => {
      const t = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(t) };
    });
    this.images = new Set((cfg.images ?? ['shoal/busybox:latest', 'shoal/pause:latest', 'shoal/echo:latest']).map(normalizeImage));
    this.program = cfg.program ?? (() => ({}));
    this.execHandler = cfg.exec ?? (() => ({ stdout: '', stderr: '', exitCode: 0 }));
    this.resources = cfg.resources ?? { cpus: 4, memoryBytes: 8 * 2 ** 30, runtimeVersion: 'fake://1', operatingSystem: 'linux', architecture: 'x86_64' };
  }

  /** A runtime scoped to `ownerNode` on this engine. */
  runtime(ownerNode: string): FakeRuntime {
    return new FakeRuntime({ engine: this, ownerNode });
  }

  /** Makes the next call of `op` fail with `err`. */
  failNext(op: Op, err: Error): void {
    const q = this.failures.get(op) ?? [];
    q.push(err);
    this.failures.set(op, q);
  }

  /** @internal */
  checkFailure(op: Op): void {
    const err = this.failures.get(op)?.shift();
    if (err) throw err;
  }

  newId(): string {
    this.seq++;
    return `fake${this.seq.toString(16).padStart(12, '0')}`;
  }

  newIp(): string {
    const n = this.nextIp++;
    return `10.88.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  /** Ends a running container as if its process exited. */
  exit(id: string, exitCode: number, opts: { oomKilled?: boolean } = {}): void {
    const r = this.records.get(id);
    if (!r || r.state !== 'running') return;
    r.timer?.cancel();
    delete r.timer;
    r.state = 'exited';
    r.exitCode = exitCode;
    r.oomKilled = opts.oomKilled ?? false;
    r.finishedAt = this.now();
    const owner = r.labels[LABEL_OWNER] ?? '';
    if (r.oomKilled) this.emit(owner, { type: 'oom', containerId: id });
    this.emit(owner, eventOf('die', r));
    for (const w of this.logWaiters.get(id) ?? []) w.end();
    this.logWaiters.delete(id);
    // Containers that share a sandbox lose their namespace when it stops.
    if (r.labels[LABEL_ROLE] === ROLE_SANDBOX) {
      for (const c of this.records.values()) if (c.sandboxId === id && c.state === 'running') this.exit(c.id, 137);
    }
  }

  /** Appends to a container's log (and to followers). */
  writeLog(id: string, text: string): void {
    const r = this.records.get(id);
    if (!r) throw new ContainerNotFoundError(id);
    const b = Buffer.from(text);
    r.log.push(b);
    for (const w of this.logWaiters.get(id) ?? []) w.write(b);
  }

  /** @internal */
  follow(id: string, out: PassThrough): void {
    const set = this.logWaiters.get(id) ?? new Set<PassThrough>();
    set.add(out);
    this.logWaiters.set(id, set);
    out.on('close', () => set.delete(out));
  }

  /** @internal */
  emit(owner: string, e: RuntimeEvent): void {
    for (const l of this.listeners) l(owner, e);
  }

  /** @internal */
  listen(l: (owner: string, e: RuntimeEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

function normalizeImage(ref: string): string {
  const slash = ref.lastIndexOf('/');
  return ref.indexOf(':', slash + 1) >= 0 ? ref : `${ref}:latest`;
}

function eventOf(type: RuntimeEvent['type'], r: FakeRecord): RuntimeEvent {
  const e: RuntimeEvent = { type, containerId: r.id };
  const uid = r.labels[LABEL_POD_UID];
  if (uid) e.podUid = uid;
  const name = r.labels['io.shoal.container-name'];
  if (name) e.name = name;
  if (type === 'die' && r.exitCode !== undefined) e.exitCode = r.exitCode;
  return e;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

export interface FakeRuntimeConfig {
  ownerNode: string;
  /** Default: a new engine of its own. */
  engine?: FakeEngine;
}

export class FakeRuntime implements ContainerRuntime {
  readonly ownerNode: string;
  readonly engine: FakeEngine;
  private readonly unsubscribers = new Set<() => void>();

  constructor(cfg: FakeRuntimeConfig) {
    if (!cfg.ownerNode) throw new RuntimeError('FakeRuntime needs an ownerNode');
    this.ownerNode = cfg.ownerNode;
    this.engine = cfg.engine ?? new FakeEngine();
  }

  private owned(id: string): FakeRecord | undefined {
    const r = this.engine.records.get(id);
    if (!r) return undefined;
    // Safety: never act on another agent's container, even given its id.
    if (r.labels[LABEL_OWNER] !== this.ownerNode) throw new NotOwnedError(id, r.labels[LABEL_OWNER]);
    return r;
  }

  private list(role: string, filter?: ContainerFilter): FakeRecord[] {
    return [...this.engine.records.values()].filter((r) =>
      r.labels[LABEL_OWNER] === this.ownerNode && r.labels[LABEL_ROLE] === role && (!filter?.podUid || r.labels[LABEL_POD_UID] === filter.podUid));
  }

  private toSandbox(r: FakeRecord): SandboxInfo {
    const out: SandboxInfo = { id: r.id, pod: podRefFromLabels(r.labels), attempt: attemptFromLabels(r.labels), state: r.state, labels: { ...r.labels }, createdAt: iso(r.createdAt) ?? '' };
    if (r.state === 'running' && r.ip) out.ip = r.ip;
    return out;
  }

  private toContainer(r: FakeRecord): ContainerInfo {
    const out: ContainerInfo = {
      id: r.id, pod: podRefFromLabels(r.labels), name: r.labels['io.shoal.container-name'] ?? '', attempt: attemptFromLabels(r.labels),
      image: r.image, state: r.state, oomKilled: r.oomKilled, createdAt: iso(r.createdAt) ?? '', labels: { ...r.labels },
    };
    const started = iso(r.startedAt);
    if (started) out.startedAt = started;
    if (r.state === 'exited') {
      out.exitCode = r.exitCode ?? 0;
      const fin = iso(r.finishedAt);
      if (fin) out.finishedAt = fin;
    }
    return out;
  }

  private nameTaken(name: string): boolean {
    return [...this.engine.records.values()].some((r) => r.name === name);
  }

  private async stop(id: string, graceSeconds: number): Promise<void> {
    const r = this.owned(id);
    if (!r || r.state !== 'running') return;
    if (r.program.ignoreTerm) {
      // SIGTERM is ignored: wait out the grace period, then SIGKILL.
      await new Promise<void>((res) => this.engine.schedule(res, Math.max(0, graceSeconds) * 1000));
      this.engine.exit(id, 137);
    } else {
      this.engine.exit(id, r.program.termExitCode ?? 143);
    }
  }

  private remove(id: string): void {
    const r = this.owned(id);
    if (!r) return;
    if (r.state === 'running') this.engine.exit(id, 137);
    this.engine.records.delete(id);
  }

  // ------------------------------------------------------------ sandboxes

  async createSandbox(spec: SandboxSpec): Promise<string> {
    this.engine.checkFailure('createSandbox');
    const name = sandboxName(this.ownerNode, spec);
    if (this.nameTaken(name)) throw new RuntimeError(`name ${name} is already in use`);
    if (!this.engine.images.has(normalizeImage('shoal/pause:latest'))) throw new ImageNotPresentError('shoal/pause:latest');
    const r: FakeRecord = {
      id: this.engine.newId(), name, labels: sandboxLabels(this.ownerNode, spec), image: 'shoal/pause:latest',
      state: 'created', oomKilled: false, createdAt: this.engine.now(), log: [], program: {},
    };
    this.engine.records.set(r.id, r);
    this.engine.calls.push(`createSandbox ${spec.pod.name}`);
    return r.id;
  }

  async startSandbox(id: string): Promise<SandboxInfo> {
    this.engine.checkFailure('startSandbox');
    const r = this.owned(id);
    if (!r) throw new ContainerNotFoundError(id);
    if (r.state === 'created') {
      r.state = 'running';
      r.startedAt = this.engine.now();
      if (r.labels['io.shoal.host-network'] !== 'true') r.ip = this.engine.newIp();
      this.engine.calls.push(`startSandbox ${r.labels['io.shoal.pod-name']}`);
      this.engine.emit(this.ownerNode, eventOf('start', r));
    }
    return this.toSandbox(r);
  }

  async stopSandbox(id: string, graceSeconds: number): Promise<void> {
    this.engine.checkFailure('stopSandbox');
    this.engine.calls.push(`stopSandbox ${id}`);
    await this.stop(id, graceSeconds);
  }

  async removeSandbox(id: string): Promise<void> {
    this.engine.checkFailure('removeSandbox');
    this.engine.calls.push(`removeSandbox ${id}`);
    this.remove(id);
  }

  async inspectSandbox(id: string): Promise<SandboxInfo | undefined> {
    const r = this.owned(id);
    return r && r.labels[LABEL_ROLE] === ROLE_SANDBOX ? this.toSandbox(r) : undefined;
  }

  async listSandboxes(filter?: ContainerFilter): Promise<SandboxInfo[]> {
    return this.list(ROLE_SANDBOX, filter).map((r) => this.toSandbox(r));
  }

  // ------------------------------------------------------------ containers

  async createContainer(sandboxId: string, spec: ContainerSpec): Promise<string> {
    this.engine.checkFailure('createContainer');
    const sb = this.owned(sandboxId);
    if (!sb || sb.state === 'exited') throw new SandboxNotRunningError(sandboxId);
    if (!this.engine.images.has(normalizeImage(spec.image))) throw new ImageNotPresentError(spec.image);
    const name = containerName(this.ownerNode, spec);
    if (this.nameTaken(name)) throw new RuntimeError(`name ${name} is already in use`);
    const r: FakeRecord = {
      id: this.engine.newId(), name, labels: containerLabels(this.ownerNode, spec), image: spec.image, spec, sandboxId,
      state: 'created', oomKilled: false, createdAt: this.engine.now(), log: [], program: this.engine.program(spec),
    };
    this.engine.records.set(r.id, r);
    this.engine.calls.push(`createContainer ${spec.pod.name}/${spec.name}#${spec.attempt}`);
    return r.id;
  }

  async startContainer(id: string): Promise<void> {
    this.engine.checkFailure('startContainer');
    const r = this.owned(id);
    if (!r) throw new ContainerNotFoundError(id);
    if (r.state === 'running') return;
    if (r.state === 'exited') throw new RuntimeError(`container ${id} already ran`);
    const sb = r.sandboxId ? this.engine.records.get(r.sandboxId) : undefined;
    if (!sb || sb.state !== 'running') throw new SandboxNotRunningError(r.sandboxId ?? '');
    r.state = 'running';
    r.startedAt = this.engine.now();
    this.engine.calls.push(`startContainer ${r.labels['io.shoal.pod-name']}/${r.labels['io.shoal.container-name']}#${r.labels['io.shoal.attempt']}`);
    this.engine.emit(this.ownerNode, eventOf('start', r));
    for (const line of r.program.logs ?? []) this.engine.writeLog(id, `${line}\n`);
    const p = r.program;
    if (p.exitCode !== undefined || p.oomKilled) {
      const code = p.exitCode ?? 137;
      const end = () => this.engine.exit(id, code, { oomKilled: p.oomKilled ?? false });
      if (!p.exitAfterMs) end();
      else r.timer = this.engine.schedule(end, p.exitAfterMs);
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    this.engine.checkFailure('stopContainer');
    this.engine.calls.push(`stopContainer ${id}`);
    await this.stop(id, graceSeconds);
  }

  async removeContainer(id: string): Promise<void> {
    this.engine.checkFailure('removeContainer');
    this.engine.calls.push(`removeContainer ${id}`);
    this.remove(id);
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    const r = this.owned(id);
    return r && r.labels[LABEL_ROLE] === ROLE_CONTAINER ? this.toContainer(r) : undefined;
  }

  async listContainers(filter?: ContainerFilter): Promise<ContainerInfo[]> {
    return this.list(ROLE_CONTAINER, filter).map((r) => this.toContainer(r));
  }

  // ------------------------------------------------------------ logs, exec, stats, events

  async logs(id: string, opts: LogOptions = {}): Promise<Readable> {
    const r = this.owned(id);
    if (!r) throw new ContainerNotFoundError(id);
    const text = Buffer.concat(r.log).toString();
    let lines = text.split(/(?<=\n)/).filter((l) => l.length > 0);
    if (opts.tail !== undefined) lines = opts.tail === 0 ? [] : lines.slice(-opts.tail);
    const out = new PassThrough();
    out.write(lines.join(''));
    if (opts.follow && r.state === 'running') this.engine.follow(id, out);
    else out.end();
    return out;
  }

  async exec(id: string, cmd: string[], _opts?: ExecOptions): Promise<ExecResult> {
    this.engine.checkFailure('exec');
    const r = this.owned(id);
    if (!r) throw new ContainerNotFoundError(id);
    if (r.state !== 'running') throw new RuntimeError(`container ${id} is not running`);
    return this.engine.execHandler(r, cmd);
  }

  async stats(id: string): Promise<ContainerStats> {
    const r = this.owned(id);
    if (!r) throw new ContainerNotFoundError(id);
    const out: ContainerStats = { cpuUsageNanos: 0, memoryUsageBytes: 0 };
    if (r.spec?.resources.memoryBytes) out.memoryLimitBytes = r.spec.resources.memoryBytes;
    return out;
  }

  subscribe(cb: (e: RuntimeEvent) => void): () => void {
    const off = this.engine.listen((owner, e) => {
      if (owner === this.ownerNode) cb(e);
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
    return this.engine.images.has(normalizeImage(ref));
  }

  async createVolume(name: string, opts: VolumeOptions = {}): Promise<void> {
    if (this.engine.volumes.has(name)) return;
    this.engine.volumes.set(name, { name, labels: { ...opts.labels, [LABEL_OWNER]: this.ownerNode }, tmpfs: opts.tmpfs ?? false });
  }

  async listVolumes(): Promise<VolumeInfo[]> {
    return [...this.engine.volumes.values()].filter((v) => v.labels[LABEL_OWNER] === this.ownerNode).map((v) => ({ name: v.name, labels: { ...v.labels } }));
  }

  async removeVolume(name: string): Promise<void> {
    const v = this.engine.volumes.get(name);
    if (!v) return;
    if (v.labels[LABEL_OWNER] !== this.ownerNode) throw new NotOwnedError(name, v.labels[LABEL_OWNER]);
    this.engine.volumes.delete(name);
  }

  async nodeResources(): Promise<NodeResources> {
    return { ...this.engine.resources };
  }

  async close(): Promise<void> {
    for (const u of [...this.unsubscribers]) u();
  }
}
