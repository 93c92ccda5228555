/**
 * Everything network a node runs, wired for the daemon: the DNS server, the
 * service proxy and the VIP rules, kept in step with the store by `sync()`,
 * plus the two hooks the agent calls when it starts a pod.
 */
import type { EnvVar, ObjectReader, Pod } from '@shoal/api';
import type { Logger } from '@shoal/log';
import { podServiceEnv } from './env/service-env.js';
import { DEFAULT_CLUSTER_DOMAIN, dnsConfigFor, type PodDnsConfig } from './dns/dns-config.js';
import { ClusterRecords } from './dns/cluster-records.js';
import { DnsServer, hostUpstreams } from './dns/dns-server.js';
import { ServiceProxy } from './proxy/service-proxy.js';
import { proxyRoutes, serviceRoutes, singleGroup, type GroupSplitter } from './proxy/service-routes.js';
import type { Rand } from './proxy/rand.js';
import type { Netfilter } from './plumbing/netfilter.js';
import { VipPlumbing } from './plumbing/vip-plumbing.js';
import { contains, parseCidr } from './plumbing/cidr.js';
import type { VipTarget } from './plumbing/vip-rules.js';

export interface NodeNetworkConfig {
  node: string;
  /** The current store view; read on every sync and every DNS question. */
  view: () => ObjectReader;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** The Services' virtual IP range: reverse lookups there are answered, never forwarded. */
  serviceCIDR?: string;
  /** This node's slice of the pod subnet (see podNetworkPlan). */
  nodeCIDR: string;
  /**
   * The whole pod subnet. When set, pods whose address no node has claimed
   * yet still reach VIPs (through the first daemon's fallback rule).
   */
  podSubnet?: string;
  /** The bridge gateway: VIP listeners and the DNS server bind here. */
  gateway: string;
  /** The nameserver pods are given. Default: the gateway. */
  dnsIP?: string;
  /**
   * Port the DNS server binds on the gateway. Default 0: a free port, reached
   * through a DNAT rule from dnsIP:53 for this node's pods, so several daemons
   * can share a host. Use 53 to bind the address directly (then no rule).
   */
  dnsPort?: number;
  /** Resolvers for outside names. Default: the host's resolv.conf, minus loopback and us. */
  upstreams?: string[];
  /** This node's own address: NodePort listeners bind here. */
  nodeAddress?: string;
  /** Also route host processes' VIP traffic (one node per host at most). */
  hostTraffic?: boolean;
  netfilter: Netfilter;
  logger: Logger;
  rand: Rand;
  now: () => number;
  splitter?: GroupSplitter;
}

export class NodeNetwork {
  readonly proxy: ServiceProxy;
  readonly dnsServer: DnsServer;
  readonly plumbing: VipPlumbing;
  private readonly domain: string;
  private readonly dnsIP: string;
  private readonly log: Logger;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly cfg: NodeNetworkConfig) {
    this.domain = cfg.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    this.dnsIP = cfg.dnsIP ?? cfg.gateway;
    this.log = cfg.logger.child({ component: 'network', node: cfg.node });
    const reverseCIDRs = [cfg.serviceCIDR, cfg.podSubnet].filter((c): c is string => c !== undefined);
    const records = new ClusterRecords(cfg.view, { clusterDomain: this.domain, reverseCIDRs });
    this.dnsServer = new DnsServer(records.lookup, {
      host: cfg.gateway,
      port: cfg.dnsPort ?? 0,
      upstreams: cfg.upstreams ?? hostUpstreams([cfg.gateway, this.dnsIP]),
      logger: cfg.logger,
    });
    this.proxy = new ServiceProxy({ logger: cfg.logger, rand: cfg.rand, now: cfg.now });
    this.plumbing = new VipPlumbing({
      node: cfg.node, nodeCIDR: cfg.nodeCIDR, ...(cfg.hostTraffic ? { hostTraffic: true } : {}),
      ...(cfg.podSubnet ? { podSubnet: cfg.podSubnet } : {}),
      netfilter: cfg.netfilter, logger: cfg.logger,
    });
  }

  /** Agent hook: the service env vars for a pod's containers. */
  serviceEnv = (pod: Pod): EnvVar[] => podServiceEnv(pod, this.cfg.view());

  /** Agent hook: the pod's resolver settings (undefined: keep Docker's default). */
  dns = (pod: Pod): PodDnsConfig | undefined => dnsConfigFor(pod, this.domain, this.dnsIP);

  /** Start the DNS server, install the chains, first sync. On failure, undoes what it did. */
  async start(): Promise<void> {
    try {
      await this.dnsServer.start();
      await this.plumbing.start();
      await this.sync();
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
    this.log.info('node network started', { dns: this.dnsServer.address, chains: this.plumbing.chains });
  }

  /**
   * Bring proxy listeners and VIP rules in line with the store. Call after any
   * change to Services or Endpoints; calls made while one runs coalesce.
   */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      // Never read the store from inside the caller's stack: a store watch
      // callback runs in the middle of apply.
      await Promise.resolve();
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async syncOnce(): Promise<void> {
    const routes = serviceRoutes(this.cfg.view(), this.cfg.splitter ?? singleGroup);
    const at = { vipHost: this.cfg.gateway, ...(this.cfg.nodeAddress ? { nodeAddress: this.cfg.nodeAddress } : {}) };
    const failed = await this.proxy.apply(proxyRoutes(routes, at));
    for (const err of failed) this.log.warn('proxy listener failed', { err: err.message });
    const targets: VipTarget[] = [];
    for (const r of routes) {
      const to = this.proxy.address(r.key);
      if (to) targets.push({ vip: r.clusterIP, port: r.port, protocol: r.protocol, to });
    }
    const dns = this.dnsServer.address;
    if (dns.port !== 53 || this.dnsIP !== this.cfg.gateway) {
      for (const protocol of ['udp', 'tcp'] as const) targets.push({ vip: this.dnsIP, port: 53, protocol, to: dns });
    }
    await this.plumbing.sync(targets, this.podsOutsideSlice());
  }

  /**
   * Addresses of this node's pods that lie outside its slice (a runtime that
   * lets Docker pick addresses): claimed one by one so their traffic still
   * goes through this node's proxy.
   */
  private podsOutsideSlice(): string[] {
    const slice = parseCidr(this.cfg.nodeCIDR);
    const out: string[] = [];
    for (const p of this.cfg.view().list<Pod>('Pod')) {
      const ip = p.status?.podIP;
      if (p.spec?.nodeName !== this.cfg.node || p.spec.hostNetwork === true || !ip || ip.includes(':')) continue;
      if (!contains(slice, ip)) out.push(ip);
    }
    return out.sort();
  }

  /** Remove the rules, close listeners and connections, stop the DNS server. */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.plumbing.stop().catch((err: unknown) => this.log.error('cannot remove vip rules', { err: String(err) }));
    await this.proxy.stop();
    await this.dnsServer.stop();
  }
}
