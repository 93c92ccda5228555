/**
 * The nat rules that bring a pod's traffic for a service VIP to its own node's
 * proxy. Several daemons may share one host (the local cluster), so each node
 * owns one chain, `SHOAL-SVC-<node>`, whose rules match only sources in that
 * node's pod slice; every rule and jump carries the comment `shoal:<node>`, so
 * a restarted daemon can find and remove what a crashed one left. Pure.
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
  /** This node's pod slice: only its pods' traffic is ours. */
  nodeCIDR: string;
  /**
   * Also carry connections that host processes make to VIPs (matched by a
   * local source address). At most one node per host should set it.
   */
  hostTraffic?: boolean;
}

/** iptables chain names are at most 28 characters. */
const CHAIN_MAX = 28;

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

export function serviceChain(node: string): string {
  const clean = node.replace(/[^A-Za-z0-9_.-]/g, '_');
  const name = `SHOAL-SVC-${clean}`;
  return name.length <= CHAIN_MAX ? name : `SHOAL-SVC-${clean.slice(0, CHAIN_MAX - 10 - 8)}-${hash(node).slice(0, 7)}`;
}

export function ownerComment(node: string): string {
  return `shoal:${node}`;
}

/** The jumps into the node's chain, from PREROUTING (pods) and OUTPUT (host). */
export function jumpRules(node: string): { chain: 'PREROUTING' | 'OUTPUT'; rule: Rule }[] {
  const rule = ['-m', 'comment', '--comment', ownerComment(node), '-j', serviceChain(node)];
  return [{ chain: 'PREROUTING', rule }, { chain: 'OUTPUT', rule }];
}

/** The content of the node's chain for these targets, in a stable order. */
export function vipRules(cfg: VipRulesConfig, targets: readonly VipTarget[]): Rule[] {
  const sorted = [...targets].sort((a, b) => (a.vip + a.port + a.protocol < b.vip + b.port + b.protocol ? -1 : 1));
  const sources: string[][] = [['-s', cfg.nodeCIDR]];
  if (cfg.hostTraffic) sources.push(['-m', 'addrtype', '--src-type', 'LOCAL']);
  const rules: Rule[] = [];
  for (const src of sources) {
    for (const t of sorted) {
      rules.push([
        ...src, '-d', `${t.vip}/32`, '-p', t.protocol, '-m', t.protocol, '--dport', String(t.port),
        '-m', 'comment', '--comment', ownerComment(cfg.node),
        '-j', 'DNAT', '--to-destination', `${t.to.host}:${t.to.port}`,
      ]);
    }
  }
  return rules;
}
