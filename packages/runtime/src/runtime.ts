/**
 * The container runtime as the agent sees it: small interfaces named by role,
 * joined in `ContainerRuntime`. `DockerRuntime` implements it on the Docker
 * engine, `FakeRuntime` in memory. Every implementation is scoped to one
 * owning node: it labels what it creates with that node and lists, inspects
 * and removes only objects carrying that label.
 */
import type { Readable } from 'node:stream';

export interface PodRef {
  uid: string;
  namespace: string;
  name: string;
}

/** `created`: not started yet; `exited`: ran and stopped. */
export type RunState = 'created' | 'running' | 'exited' | 'unknown';

export interface DnsConfig {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol: 'TCP' | 'UDP';
  hostIP?: string;
}

export interface SandboxSpec {
  pod: PodRef;
  /** The node named in the pod's binding (usually the owner node). */
  nodeName: string;
  attempt: number;
  hostname: string;
  dns?: DnsConfig;
  portMappings: PortMapping[];
  /** Share the node's network namespace (no own IP, hostname or DNS; ports are the node's). */
  hostNetwork?: boolean;
  /** Seconds between SIGTERM and SIGKILL for this pod. */
  terminationGraceSeconds: number;
  labels?: Record<string, string>;
}

/**
 * A pod network the runtime wires itself, CNI-style, instead of the
 * engine's: the sandbox starts with loopback only and `attach` gives its
 * namespace an interface and address. `VethSandboxNetwork` in
 * @shoal/network implements it with veth pairs on the pod bridge.
 */
export interface SandboxNetwork {
  /** A free pod address, given those in use; undefined when none is left. */
  nextAddress(inUse: ReadonlySet<string>): string | undefined;
  /** Gives the network namespace of process `pid` (sandbox `sandboxId`) its interface with address `ip`. */
  attach(sandboxId: string, pid: number, ip: string): Promise<void>;
  /** Whether the sandbox's wiring finished (false after a crash half-way through it). */
  attached(sandboxId: string): boolean;
}

export interface SandboxInfo {
  id: string;
  pod: PodRef;
  attempt: number;
  state: RunState;
  /** The pod's IP on the runtime's network, while running. */
  ip?: string;
  labels: Record<string, string>;
  createdAt: string;
}

export type Mount =
  | { type: 'volume'; source: string; target: string; readOnly: boolean }
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; sizeBytes?: number };

export interface CgroupResources {
  /** CPU limit in billionths of a CPU (limits.cpu). */
  nanoCpus?: number;
  /** Relative CPU weight (requests.cpu), 1024 per CPU, at least 2. */
  cpuShares?: number;
  /** Memory limit in bytes (limits.memory); swap is limited to the same. */
  memoryBytes?: number;
  /** Memory reservation in bytes (requests.memory). */
  memoryReservationBytes?: number;
}

export interface ContainerSpec {
  pod: PodRef;
  nodeName: string;
  /** The container's name in the pod. */
  name: string;
  attempt: number;
  image: string;
  /** Replaces the image's ENTRYPOINT when set (Kubernetes `command`). */
  entrypoint?: string[];
  /** Replaces the image's CMD when set (Kubernetes `args`). */
  cmd?: string[];
  /** NAME=value pairs, in order. */
  env: string[];
  workingDir?: string;
  mounts: Mount[];
  resources: CgroupResources;
  terminationGraceSeconds: number;
  tty?: boolean;
  stdin?: boolean;
  labels?: Record<string, string>;
}

export interface ContainerInfo {
  id: string;
  pod: PodRef;
  name: string;
  attempt: number;
  image: string;
  state: RunState;
  exitCode?: number;
  /** True when the kernel's OOM killer ended it. */
  oomKilled: boolean;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  labels: Record<string, string>;
}

export interface ContainerFilter {
  podUid?: string;
}

export interface LogOptions {
  follow?: boolean;
  /** Only the last N lines. */
  tail?: number;
  timestamps?: boolean;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  /** Give up (ExecTimeoutError) after this long. */
  timeoutMs?: number;
}

export interface ContainerStats {
  /** Total CPU time used, in nanoseconds. */
  cpuUsageNanos: number;
  memoryUsageBytes: number;
  memoryLimitBytes?: number;
}

export type RuntimeEventType = 'start' | 'die' | 'oom';

export interface RuntimeEvent {
  type: RuntimeEventType;
  containerId: string;
  podUid?: string;
  name?: string;
  exitCode?: number;
}

export interface VolumeOptions {
  labels?: Record<string, string>;
  tmpfs?: boolean;
}

export interface VolumeInfo {
  name: string;
  labels: Record<string, string>;
}

export interface NodeResources {
  cpus: number;
  memoryBytes: number;
  runtimeVersion: string;
  operatingSystem: string;
  architecture: string;
}

// ---------------------------------------------------------------- roles

/** The pause container that owns a pod's network namespace, hostname and DNS. */
export interface SandboxRuntime {
  /** Creates the sandbox without starting it (containers may already be created in it). */
  createSandbox(spec: SandboxSpec): Promise<string>;
  /** Starts it; returns it running, with its IP. */
  startSandbox(id: string): Promise<SandboxInfo>;
  /** SIGTERM, then SIGKILL after `graceSeconds`. No error when already stopped. */
  stopSandbox(id: string, graceSeconds: number): Promise<void>;
  /** Removes it (stopping it first). No error when already gone. */
  removeSandbox(id: string): Promise<void>;
  inspectSandbox(id: string): Promise<SandboxInfo | undefined>;
  listSandboxes(filter?: ContainerFilter): Promise<SandboxInfo[]>;
}

/** App, init and sidecar containers, each in its pod sandbox's network namespace. */
export interface ContainerLifecycle {
  /** Creates a container joined to `sandboxId`'s network namespace (the sandbox must exist, not yet run). */
  createContainer(sandboxId: string, spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceSeconds`. No error when already stopped. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** No error when already gone. */
  removeContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerInfo | undefined>;
  listContainers(filter?: ContainerFilter): Promise<ContainerInfo[]>;
}

export interface ContainerLogs {
  /** Stdout and stderr interleaved as written; ends when the container does (follow) or at once. */
  logs(id: string, opts?: LogOptions): Promise<Readable>;
}

export interface ContainerExec {
  exec(id: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
}

export interface ContainerStatsSource {
  stats(id: string): Promise<ContainerStats>;
}

export interface RuntimeEvents {
  /** Calls `cb` for start/die/oom of this node's containers until the returned function is called. */
  subscribe(cb: (e: RuntimeEvent) => void): () => void;
}

export interface ImageStore {
  hasImage(ref: string): Promise<boolean>;
}

/** Named volumes: emptyDir volumes of pods and persistent volumes of claims. */
export interface VolumeStore {
  /** Idempotent: an existing volume of that name is kept. `tmpfs` backs it by memory. */
  createVolume(name: string, opts?: VolumeOptions): Promise<void>;
  /** This node's volumes. */
  listVolumes(): Promise<VolumeInfo[]>;
  /** No error when already gone. */
  removeVolume(name: string): Promise<void>;
}

export interface NodeInfoSource {
  nodeResources(): Promise<NodeResources>;
}

export interface ContainerRuntime
  extends SandboxRuntime,
    ContainerLifecycle,
    ContainerLogs,
    ContainerExec,
    ContainerStatsSource,
    RuntimeEvents,
    ImageStore,
    VolumeStore,
    NodeInfoSource {
  /** The node whose objects this runtime creates and sees. */
  readonly ownerNode: string;
  /** Releases connections and subscriptions. */
  close(): Promise<void>;
}

/** Creates and starts a sandbox; returns it running, with its IP. */
export async function runSandbox(runtime: SandboxRuntime, spec: SandboxSpec): Promise<SandboxInfo> {
  return runtime.startSandbox(await runtime.createSandbox(spec));
}
