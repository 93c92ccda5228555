/**
 * Wires a pod sandbox onto the pod bridge ourselves, the way a CNI bridge
 * plugin does, instead of leaving it to the engine: the engine starts the
 * sandbox with loopback only (`--network none`), then a veth pair gives it
 * `eth0` with an address from this node's slice and a default route through
 * the bridge's gateway, and the pair's outer end joins the bridge. A pod
 * start skips the engine's own network set-up (endpoint, IPAM and sandbox
 * bookkeeping, about 40 ms here), and every pod address lies in the node's
 * slice, where one VIP rule covers them all.
 *
 * Two `ip -batch` runs, never a shell:
 *  1. inside the sandbox's namespace (nsenter): the pair, created with its
 *     outer end straight in our own namespace; eth0's address; link up;
 *     the default route;
 *  2. in ours: the outer end joins the bridge and comes up. This is last,
 *     so an outer end with a bridge marks a wiring that finished.
 * The pair goes away with the namespace when the sandbox stops: there is
 * nothing to undo.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { contains, nth, parseCidr } from './cidr.js';
import { nextPodAddress } from './pod-subnets.js';

export class PodWiringError extends Error {
  override name = 'PodWiringError';
}

/** Runs `cmd args` with `input` on stdin; rejects with its stderr when it fails. */
export type CommandRunner = (cmd: string, args: string[], input: string) => Promise<void>;

export interface VethWiringConfig {
  /** The Linux bridge interface the pods' outer ends join (e.g. shoal0). */
  bridge: string;
  /** This node's slice of the pod subnet: where its pods' addresses come from. */
  nodeCIDR: string;
  /** The whole pod subnet (the bridge's): eth0's prefix, so every pod of the host is on-link. */
  podSubnet: string;
  /** The bridge's own address: the pods' default route. */
  gateway: string;
  /** Default: execFile-style spawn of `ip` and `nsenter`. */
  run?: CommandRunner;
  /** Our own process id: where the outer end is created. Default process.pid. */
  selfPid?: number;
  /** Where to look for interfaces. Default /sys/class/net. */
  sysClassNet?: string;
}

/** The name of a sandbox's outer end: at most 15 characters, unique per sandbox. */
export function hostInterfaceName(sandboxId: string): string {
  if (!/^[0-9a-f]{12}/.test(sandboxId)) throw new PodWiringError(`not an engine container id: ${sandboxId}`);
  return `shv${sandboxId.slice(0, 12)}`;
}

export interface VethPlan {
  hostInterface: string;
  /** `ip -batch` lines run inside the sandbox's namespace. */
  inside: string[];
  /** `ip -batch` lines run in ours, after `inside`. */
  outside: string[];
}

/** What `attach` runs. Pure. */
export function vethPlan(a: { sandboxId: string; ip: string; prefixLength: number; gateway: string; bridge: string; selfPid: number }): VethPlan {
  const host = hostInterfaceName(a.sandboxId);
  return {
    hostInterface: host,
    inside: [
      `link add eth0 type veth peer name ${host} netns ${a.selfPid}`,
      `addr add ${a.ip}/${a.prefixLength} dev eth0`,
      'link set eth0 up',
      `route add default via ${a.gateway} dev eth0`,
    ],
    outside: [`link set ${host} master ${a.bridge} up`],
  };
}

const spawnRunner: CommandRunner = (cmd, args, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new PodWiringError(`${cmd}: ${err.message}`, { cause: err })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new PodWiringError(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim()}`))));
    child.stdin.on('error', () => undefined); // a child that dies early reports through close
    child.stdin.end(input);
  });

/** The runtime's `SandboxNetwork` over veth pairs on one bridge. */
export class VethSandboxNetwork {
  private readonly run: CommandRunner;
  private readonly selfPid: number;
  private readonly sys: string;
  private readonly prefixLength: number;
  private last: string | undefined;

  constructor(private readonly cfg: VethWiringConfig) {
    const subnet = parseCidr(cfg.podSubnet);
    const slice = parseCidr(cfg.nodeCIDR);
    if (slice.bits < subnet.bits || !contains(subnet, nth(slice, 0))) throw new PodWiringError(`nodeCIDR ${cfg.nodeCIDR} is not inside podSubnet ${cfg.podSubnet}`);
    if (!contains(subnet, cfg.gateway)) throw new PodWiringError(`gateway ${cfg.gateway} is not inside podSubnet ${cfg.podSubnet}`);
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(cfg.bridge)) throw new PodWiringError(`not an interface name: ${cfg.bridge}`);
    this.prefixLength = subnet.bits;
    this.run = cfg.run ?? spawnRunner;
    this.selfPid = cfg.selfPid ?? process.pid;
    this.sys = cfg.sysClassNet ?? '/sys/class/net';
  }

  /** Whether this host can wire pods: `ip` and `nsenter` run, and the bridge exists. */
  async check(): Promise<void> {
    await this.run('ip', ['-batch', '-'], `link show ${this.cfg.bridge}\n`);
    await this.run('nsenter', ['--version'], '');
  }

  nextAddress(inUse: ReadonlySet<string>): string | undefined {
    const ip = nextPodAddress(this.cfg.nodeCIDR, inUse, { gateway: this.cfg.gateway, ...(this.last ? { after: this.last } : {}) });
    if (ip) this.last = ip;
    return ip;
  }

  async attach(sandboxId: string, pid: number, ip: string): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 0) throw new PodWiringError(`sandbox ${sandboxId} has no process to wire (pid ${pid})`);
    const plan = vethPlan({ sandboxId, ip, prefixLength: this.prefixLength, gateway: this.cfg.gateway, bridge: this.cfg.bridge, selfPid: this.selfPid });
    await this.run('nsenter', ['-t', String(pid), '-n', 'ip', '-batch', '-'], plan.inside.join('\n') + '\n');
    await this.run('ip', ['-batch', '-'], plan.outside.join('\n') + '\n');
  }

  attached(sandboxId: string): boolean {
    return existsSync(`${this.sys}/${hostInterfaceName(sandboxId)}/master`);
  }
}
