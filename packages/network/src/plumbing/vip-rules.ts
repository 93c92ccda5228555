/**
 * The nat rules that bring a pod's traffic for a service VIP to a proxy on its
 * own node. Several daemons may share one host (the local cluster), so each
 * node owns its chains, tagged with the comment `shoal:<node>` so a restarted
 * daemon can find and remove what a crashed one left:
 *
 *   PREROUTING, OUTPUT (head): -j SHOAL-SVC-<node>
 *   SHOAL-SVC-<node>:          -s <this node's pod slice or pod IP> -j SHOAL-VIP-<node>
 *   SHOAL-VIP-<node>:          -d <vip> -p tcp --dport <port> -j DNAT --to <proxy listener>
 *   PREROUTING (tail, optional fallback): -s <whole pod subnet> -j SHOAL-VIP-<node>
 *
 * Every proxy of a host can reach every pod (one shared bridge), so the
 * fallback only decides which node carries traffic from a pod no node has
 * claimed yet (its IP not yet reported); the first daemon's tail rule wins. Pure.
 */
import type { Rule } from './netfilter.js';

export interface VipTarget {
  /** The service's virtual IP and port, as clients dial them. */
  vip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** Where this node's proxy (or DNS server) really listens. */
  to: { host: string; port: number };
}

export interface VipRulesConfig {
  node: string;
  /** This node's pod slice: traffic from here is this node's to carry. */
  nodeCIDR: string;
  /**
   * Also carry connections that host processes make to VIPs (matched by a
   * local source address). At most one node per host should set it.
   */
  hostTraffic?: boolean;
  /** The whole pod subnet, for the fallback jump; absent: no fallback. */
  podSubnet?: string;
}

/** iptables chain names are at most 28 characters. */
const CHAIN_MAX = 28;

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

function chainName(prefix: string, node: string): string {
  const clean = node.replace(/[^A-Za-z0-9_.-]/g, '_');
  const name = `${prefix}${clean}`;
  return name.length <= CHAIN_MAX ? name : `${prefix}${clean.slice(0, CHAIN_MAX - prefix.length - 8)}-${hash(node).slice(0, 7)}`;
}

/** The node's dispatch chain: which sources are this node's. */
export function serviceChain(node: string): string {
  return chainName('SHOAL-SVC-', node);
}

/** The node's DNAT chain: VIP:port -> this node's listeners. */
export function vipChain(node: string): string {
  return chainName('SHOAL-VIP-', node);
}

export function ownerComment(node: string): string {
  return `shoal:${node}`;
}

function tag(node: string): string[] {
  return ['-m', 'comment', '--comment', ownerComment(node)];
}

export interface JumpRule {
  chain: 'PREROUTING' | 'OUTPUT';
  rule: Rule;
  at: 'head' | 'tail';
}

/** The jumps into the node's chains from the built-in ones. */
export function jumpRules(cfg: Pick<VipRulesConfig, 'node' | 'podSubnet'>): JumpRule[] {
  const toSvc = [...tag(cfg.node), '-j', serviceChain(cfg.node)];
  const out: JumpRule[] = [
    { chain: 'PREROUTING', rule: toSvc, at: 'head' },
    { chain: 'OUTPUT', rule: toSvc, at: 'head' },
  ];
  if (cfg.podSubnet) out.push({ chain: 'PREROUTING', rule: ['-s', cfg.podSubnet, ...tag(cfg.node), '-j', vipChain(cfg.node)], at: 'tail' });
  return out;
}

function ipOrCidr(s: string): string {
  return s.includes('/') ? s : `${s}/32`;
}

/**
 * The dispatch chain: the node slice, then `extraSources` (this node's pods
 * whose addresses lie outside the slice), then host traffic when asked.
 */
export function sourceRules(cfg: VipRulesConfig, extraSources: readonly string[] = []): Rule[] {
  const sources = [...new Set([cfg.nodeCIDR, ...extraSources].map(ipOrCidr))];
  const rules: Rule[] = sources.map((s) => ['-s', s, ...tag(cfg.node), '-j', vipChain(cfg.node)]);
  if (cfg.hostTraffic) rules.push(['-m', 'addrtype', '--src-type', 'LOCAL', ...tag(cfg.node), '-j', vipChain(cfg.node)]);
  return rules;
}

/** The DNAT chain for these targets, in a stable order. */
export function vipRules(node: string, targets: readonly VipTarget[]): Rule[] {
  const key = (t: VipTarget) => `${t.vip} ${String(t.port).padStart(5, '0')} ${t.protocol}`;
  return [...targets].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((t) => [
    '-d', `${t.vip}/32`, '-p', t.protocol, '-m', t.protocol, '--dport', String(t.port),
    ...tag(node), '-j', 'DNAT', '--to-destination', `${t.to.host}:${t.to.port}`,
  ]);
}
