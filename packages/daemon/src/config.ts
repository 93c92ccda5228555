/**
 * shoald's configuration: one YAML file describing the cluster and its nodes
 * (cluster-config/*.yaml); a daemon picks its own node by name. Everything is
 * validated at load, and every error names the field path and the reason.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';

export type Profile = 'local' | 'lan' | 'wan';

/** Timings that follow from the profile. Milliseconds unless named otherwise. */
export interface Timing {
  raftTickMs: number;
  /** Raft heartbeat interval, in ticks. */
  heartbeatTicks: number;
  /** Raft election timeout (randomized up to twice this), in ticks. */
  electionTicks: number;
  /** A pod on a dead node is evicted after this, unless it tolerates longer. */
  podEvictionSeconds: number;
  /** A dead Raft voter is replaced by autopilot after this. */
  deadVoterGraceMs: number;
  /** CrashLoopBackOff: first delay and cap. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** How often agents report node status. */
  nodeStatusMs: number;
  /** Raft takes a snapshot and compacts its log after this many applied entries... */
  snapshotEntries: number;
  /**
   * ...and once those entries hold at least this percentage of the last
   * snapshot's bytes (0: entries alone decide), so a large state is not
   * rewritten after every few small writes.
   */
  snapshotLogPercent: number;
  /** Entries kept behind a snapshot, so a briefly absent follower catches up from the log. */
  snapshotCatchUpEntries: number;
}

export const PROFILE_TIMING: Record<Profile, Timing> = {
  // One machine: loopback round trips are sub-millisecond, so fail fast.
  local: { raftTickMs: 25, heartbeatTicks: 2, electionTicks: 10, podEvictionSeconds: 3, deadVoterGraceMs: 10_000, backoffInitialMs: 1_000, backoffMaxMs: 30_000, nodeStatusMs: 2_000, snapshotEntries: 10_000, snapshotLogPercent: 100, snapshotCatchUpEntries: 5_000 },
  lan: { raftTickMs: 50, heartbeatTicks: 2, electionTicks: 20, podEvictionSeconds: 30, deadVoterGraceMs: 60_000, backoffInitialMs: 10_000, backoffMaxMs: 300_000, nodeStatusMs: 10_000, snapshotEntries: 10_000, snapshotLogPercent: 100, snapshotCatchUpEntries: 5_000 },
  wan: { raftTickMs: 100, heartbeatTicks: 5, electionTicks: 30, podEvictionSeconds: 300, deadVoterGraceMs: 300_000, backoffInitialMs: 10_000, backoffMaxMs: 300_000, nodeStatusMs: 10_000, snapshotEntries: 10_000, snapshotLogPercent: 100, snapshotCatchUpEntries: 5_000 },
};

export interface ClusterSettings {
  id: string;
  profile: Profile;
  targetVoters: number;
  serviceCIDR: string;
  nodePortRange: [number, number];
  clusterDomain: string;
  /** The pods' subnet: node i's pods get addresses from its slice i (a /24). */
  podSubnet: string;
  /** The Docker bridge network of the pods (also the Linux bridge's name). */
  bridgeNetwork: string;
  /**
   * Who wires a pod's network: `veth` (Shoal, a veth pair per pod on the pod
   * bridge, like a CNI bridge plugin) or `docker` (the engine's bridge
   * network). Pods publishing host ports always use Docker's.
   */
  podWiring: 'veth' | 'docker';
}

export interface NodeSettings {
  name: string;
  address: string;
  apiPort: number;
  gossipPort: number;
  metricsPort: number;
  dataDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  labels: Record<string, string>;
  /** Overrides of detected capacity (cpu cores or millicores as "500m", memory as "8Gi", pods). */
  capacity: Record<string, string | number>;
}

export interface DaemonConfig {
  cluster: ClusterSettings;
  timing: Timing;
  /** Every node in the file; the initial Raft voters when the cluster is new. */
  nodes: NodeSettings[];
  /** This daemon's node. */
  self: NodeSettings;
  /** The file it came from. */
  source: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly source: string, readonly field: string, reason: string) {
    super(`${source}: ${field}: ${reason}`);
  }
}

type Obj = Record<string, unknown>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

class Reader {
  constructor(private readonly source: string) {}

  fail(field: string, reason: string): never {
    throw new ConfigError(this.source, field, reason);
  }

  object(v: unknown, field: string, allowed: readonly string[]): Obj {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(field, `must be a mapping, got ${typeof v}`);
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.fail(field ? `${field}.${k}` : k, `unknown field (allowed: ${allowed.join(', ')})`);
    }
    return v as Obj;
  }

  string(v: unknown, field: string, def?: string): string {
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'string' || v === '') this.fail(field, v === undefined ? 'required' : 'must be a non-empty string');
    return v;
  }

  int(v: unknown, field: string, def: number | undefined, min: number, max: number): number {
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(field, v === undefined ? 'required' : `must be an integer, got ${JSON.stringify(v)}`);
    if (v < min || v > max) this.fail(field, `must be between ${min} and ${max}, got ${v}`);
    return v;
  }

  ipv4(v: unknown, field: string): string {
    const s = this.string(v, field);
    const m = IPV4.exec(s);
    if (!m || m.slice(1).some((o) => Number(o) > 255)) this.fail(field, `must be an IPv4 address, got "${s}"`);
    return s;
  }

  stringMap(v: unknown, field: string): Record<string, string> {
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'must be a mapping of strings');
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') this.fail(`${field}.${k}`, 'must be a string');
      out[k] = val;
    }
    return out;
  }
}

const CLUSTER_FIELDS = ['id', 'profile', 'targetVoters', 'serviceCIDR', 'nodePortRange', 'clusterDomain', 'podSubnet', 'bridgeNetwork', 'podWiring'] as const;
const NODE_FIELDS = ['name', 'address', 'apiPort', 'gossipPort', 'metricsPort', 'dataDir', 'logLevel', 'labels', 'capacity'] as const;

function cidr(r: Reader, v: unknown, field: string, def: string): string {
  const s = r.string(v, field, def);
  const [ip, bits] = s.split('/');
  r.ipv4(ip, field);
  const n = Number(bits);
  if (!Number.isInteger(n) || n < 8 || n > 28) r.fail(field, `must be a CIDR like 10.96.0.0/16 with a prefix of 8..28, got "${s}"`);
  return s;
}

function portRange(r: Reader, v: unknown, field: string): [number, number] {
  const s = r.string(v, field, '30000-32767');
  const m = /^(\d+)-(\d+)$/.exec(s);
  if (!m) r.fail(field, `must look like 30000-32767, got "${s}"`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) r.fail(field, `must be a range within 1-65535, got "${s}"`);
  return [lo, hi];
}

/** Parse and validate a config document. `nodeName` picks this daemon's node. */
export function parseConfig(text: string, source: string, nodeName: string, baseDir = process.cwd()): DaemonConfig {
  const r: Reader = new Reader(source);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(source, '(file)', `not valid YAML: ${(err as Error).message}`);
  }
  const top = r.object(doc, '', ['cluster', 'defaults', 'nodes', 'timing']);
  const c = r.object(top['cluster'], 'cluster', CLUSTER_FIELDS);
  const profile = r.string(c['profile'], 'cluster.profile', 'lan');
  if (!(profile in PROFILE_TIMING)) r.fail('cluster.profile', `must be one of local, lan, wan, got "${profile}"`);
  const id = r.string(c['id'], 'cluster.id');
  if (!DNS_LABEL.test(id)) r.fail('cluster.id', `must be a DNS label (lowercase letters, digits, '-'), got "${id}"`);
  const targetVoters = r.int(c['targetVoters'], 'cluster.targetVoters', 3, 1, 7);
  if (targetVoters % 2 === 0) r.fail('cluster.targetVoters', `must be odd (1, 3, 5 or 7), got ${targetVoters}`);
  const cluster: ClusterSettings = {
    id,
    profile: profile as Profile,
    targetVoters,
    serviceCIDR: cidr(r, c['serviceCIDR'], 'cluster.serviceCIDR', '10.96.0.0/16'),
    nodePortRange: portRange(r, c['nodePortRange'], 'cluster.nodePortRange'),
    clusterDomain: r.string(c['clusterDomain'], 'cluster.clusterDomain', 'cluster.local'),
    podSubnet: cidr(r, c['podSubnet'], 'cluster.podSubnet', '10.210.0.0/16'),
    bridgeNetwork: r.string(c['bridgeNetwork'], 'cluster.bridgeNetwork', 'shoal0'),
    podWiring: 'veth',
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(cluster.bridgeNetwork)) {
    r.fail('cluster.bridgeNetwork', `must be 1-15 letters, digits, '_', '.' or '-' (it names the bridge interface too), got "${cluster.bridgeNetwork}"`);
  }
  if (Number(cluster.podSubnet.split('/')[1]) > 22) r.fail('cluster.podSubnet', `must hold node slices of /24 (a prefix of at most /22), got "${cluster.podSubnet}"`);
  const podWiring = r.string(c['podWiring'], 'cluster.podWiring', 'veth');
  if (podWiring !== 'veth' && podWiring !== 'docker') r.fail('cluster.podWiring', `must be veth or docker, got "${podWiring}"`);
  cluster.podWiring = podWiring;

  const baseTiming = PROFILE_TIMING[cluster.profile];
  const t = r.object(top['timing'], 'timing', Object.keys(baseTiming));
  const timing = { ...baseTiming };
  for (const k of Object.keys(t) as (keyof Timing)[]) timing[k] = r.int(t[k], `timing.${k}`, undefined, k === 'snapshotLogPercent' ? 0 : 1, 86_400_000);

  const d = r.object(top['defaults'], 'defaults', NODE_FIELDS.filter((f) => f !== 'name' && f !== 'address'));
  if (!Array.isArray(top['nodes']) || top['nodes'].length === 0) r.fail('nodes', 'must list at least one node');
  const nodes = (top['nodes'] as unknown[]).map((raw, i): NodeSettings => {
    const f = `nodes[${i}]`;
    const n = r.object(raw, f, NODE_FIELDS);
    const pick = (k: string) => (n[k] !== undefined ? n[k] : d[k]);
    const name = r.string(n['name'], `${f}.name`);
    if (!DNS_LABEL.test(name) || name.length > 63) r.fail(`${f}.name`, `must be a DNS label, got "${name}"`);
    const level = r.string(pick('logLevel'), `${f}.logLevel`, 'info');
    if (!['debug', 'info', 'warn', 'error'].includes(level)) r.fail(`${f}.logLevel`, `must be debug, info, warn or error, got "${level}"`);
    const dataDir = r.string(pick('dataDir'), `${f}.dataDir`, '.shoal/data/${name}').replaceAll('${name}', name);
    return {
      name,
      address: r.ipv4(n['address'], `${f}.address`),
      apiPort: r.int(pick('apiPort'), `${f}.apiPort`, 7100, 1, 65535),
      gossipPort: r.int(pick('gossipPort'), `${f}.gossipPort`, 7300, 1, 65535),
      metricsPort: r.int(pick('metricsPort'), `${f}.metricsPort`, 9100, 0, 65535),
      dataDir: isAbsolute(dataDir) ? dataDir : resolve(baseDir, dataDir),
      logLevel: level as NodeSettings['logLevel'],
      labels: r.stringMap(pick('labels'), `${f}.labels`),
      capacity: (r.object(pick('capacity'), `${f}.capacity`, ['cpu', 'memory', 'pods']) as Record<string, string | number>),
    };
  });
  const seen = new Map<string, string>();
  nodes.forEach((n, i) => {
    const f = `nodes[${i}]`;
    if (seen.has(n.name)) r.fail(`${f}.name`, `duplicate node name "${n.name}"`);
    seen.set(n.name, f);
    for (const [port, what] of [[n.apiPort, 'apiPort'], [n.gossipPort, 'gossipPort']] as const) {
      const key = `${n.address}:${port}`;
      const other = seen.get(key);
      if (other) r.fail(`${f}.${what}`, `${key} is already used by ${other}`);
      seen.set(key, `${f}.${what}`);
    }
  });
  const self = nodes.find((n) => n.name === nodeName);
  if (!self) r.fail('nodes', `no node named "${nodeName}" (have: ${nodes.map((n) => n.name).join(', ')})`);
  return { cluster, timing, nodes, self, source };
}

export function loadConfig(path: string, nodeName: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, '(file)', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // Relative data dirs are relative to the repository (the config's parent's parent
  // for cluster-config/*.yaml), so every node of a local cluster agrees.
  const base = dirname(resolve(path)).endsWith('cluster-config') ? dirname(dirname(resolve(path))) : process.cwd();
  return parseConfig(text, path, nodeName, base);
}
