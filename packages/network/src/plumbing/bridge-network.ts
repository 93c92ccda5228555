/**
 * The Docker bridge network pods live on (`shoal0` by default). Every daemon
 * of a host ensures the same network; the first creates it. Its subnet must
 * not collide with another Docker network or a host interface.
 *
 * Docker is reached through `DockerNetworks`, the few dockerode methods used
 * here, so the daemon passes its dockerode instance and tests a fake.
 */
import { networkInterfaces } from 'node:os';
import type { Logger } from '@shoal/log';
import { contains, overlaps, parseCidr } from './cidr.js';
import { upperHalf } from './pod-subnets.js';

export interface DockerNetworkInfo {
  Name: string;
  Id: string;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] };
  Options?: Record<string, string>;
}

const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

/** The Linux bridge interface behind a Docker bridge network. */
export function bridgeInterface(n: DockerNetworkInfo): string {
  return n.Options?.[BRIDGE_NAME_OPTION] || `br-${n.Id.slice(0, 12)}`;
}

export interface DockerNetworks {
  listNetworks(): Promise<DockerNetworkInfo[]>;
  createNetwork(opts: {
    Name: string;
    Driver: string;
    CheckDuplicate?: boolean;
    IPAM: { Driver: string; Config: { Subnet: string; Gateway: string; IPRange?: string }[] };
    Options?: Record<string, string>;
    Labels?: Record<string, string>;
  }): Promise<unknown>;
  getNetwork(id: string): { remove(): Promise<unknown> };
}

export interface BridgeNetworkConfig {
  /** Docker network name. Default 'shoal0'. */
  name?: string;
  /** Linux bridge interface name (at most 15 characters). Default: the network name. */
  bridgeName?: string;
  subnet: string;
  gateway: string;
  /**
   * Where Docker picks addresses for containers created without one.
   * Default: the subnet's upper half, away from the node slices.
   */
  ipRange?: string;
  logger: Logger;
  /** How long to wait for a network another daemon is creating at the same moment (default 10 s). */
  raceWaitMs?: number;
}

export class SubnetCollisionError extends Error {
  override name = 'SubnetCollisionError';
}

export class BridgeNetworkError extends Error {
  override name = 'BridgeNetworkError';
}

export const SHOAL_NETWORK_LABEL = 'io.shoal.network';

/** Host interface addresses (IPv4) that fall inside `subnet`, other than its gateway. */
export function hostAddressesIn(subnet: string, gateway: string): string[] {
  const c = parseCidr(subnet);
  return Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === 'IPv4' && a.address !== gateway && contains(c, a.address))
    .map((a) => a.address);
}

/**
 * Create the network unless a network of that name and subnet exists (then
 * reuse it). Refuses a same-named network with another subnet, a subnet that
 * overlaps another Docker network, or one that holds a host address.
 */
export async function ensureBridgeNetwork(docker: DockerNetworks, cfg: BridgeNetworkConfig): Promise<{ id: string; created: boolean; bridge: string }> {
  const name = cfg.name ?? 'shoal0';
  const want = parseCidr(cfg.subnet);
  const find = async (): Promise<DockerNetworkInfo | undefined> => (await docker.listNetworks()).find((n) => n.Name === name);
  const all = await docker.listNetworks();
  const reuse = (n: DockerNetworkInfo) => {
    const subnets = (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s);
    if (!subnets.includes(cfg.subnet)) throw new SubnetCollisionError(`network ${name} exists with subnet ${subnets.join(',') || 'none'}, not ${cfg.subnet}`);
    return { id: n.Id, created: false, bridge: bridgeInterface(n) };
  };
  const existing = all.find((n) => n.Name === name);
  if (existing) return reuse(existing);
  for (const n of all) {
    for (const c of n.IPAM?.Config ?? []) {
      if (c.Subnet && !c.Subnet.includes(':') && overlaps(parseCidr(c.Subnet), want)) {
        throw new SubnetCollisionError(`subnet ${cfg.subnet} overlaps Docker network ${n.Name} (${c.Subnet})`);
      }
    }
  }
  const taken = hostAddressesIn(cfg.subnet, cfg.gateway);
  if (taken.length > 0) throw new SubnetCollisionError(`subnet ${cfg.subnet} holds host addresses ${taken.join(', ')}`);
  try {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: cfg.subnet, Gateway: cfg.gateway, IPRange: cfg.ipRange ?? upperHalf(cfg.subnet) }] },
      Options: { [BRIDGE_NAME_OPTION]: cfg.bridgeName ?? name.slice(0, 15) },
      Labels: { [SHOAL_NETWORK_LABEL]: 'true' },
    });
  } catch (err) {
    // Another daemon of this host may be creating it at this moment (the
    // daemons of a local cluster start together): the engine refuses ours
    // (its pool overlaps) before it lists theirs. Wait for theirs a while.
    const deadline = Date.now() + (cfg.raceWaitMs ?? 10_000);
    for (;;) {
      const raced = await find();
      if (raced) return reuse(raced);
      if (Date.now() >= deadline) throw new BridgeNetworkError(`cannot create network ${name}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const made = await find();
  if (!made) throw new BridgeNetworkError(`network ${name} vanished after create`);
  cfg.logger.info('created pod network', { name, subnet: cfg.subnet, gateway: cfg.gateway });
  return { id: made.Id, created: true, bridge: bridgeInterface(made) };
}

/** Remove the network (Docker refuses while containers are attached). No-op when absent. */
export async function removeBridgeNetwork(docker: DockerNetworks, name = 'shoal0'): Promise<boolean> {
  const n = (await docker.listNetworks()).find((x) => x.Name === name);
  if (!n) return false;
  await docker.getNetwork(n.Id).remove();
  return true;
}
