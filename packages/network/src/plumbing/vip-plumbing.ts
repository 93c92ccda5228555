/**
 * Owns this node's nat rules: creates its chains and the jumps into them at
 * start (after removing anything a crashed run left with the same owner tag),
 * swaps the chains' content on every sync, and removes all of it at stop.
 */
import type { Logger } from '@shoal/log';
import type { Netfilter, Rule } from './netfilter.js';
import { jumpRules, ownerComment, serviceChain, sourceRules, vipChain, vipRules, type VipRulesConfig, type VipTarget } from './vip-rules.js';

export interface VipPlumbingConfig extends VipRulesConfig {
  netfilter: Netfilter;
  logger: Logger;
}

export class PlumbingNotStartedError extends Error {
  override name = 'PlumbingNotStartedError';
}

function tagged(rule: Rule, comment: string): boolean {
  const at = rule.indexOf('--comment');
  return at >= 0 && rule[at + 1] === comment;
}

/**
 * Remove every nat rule and chain owned by `node`, whatever run created them:
 * rules tagged `shoal:<node>` in the built-in chains, then the node's chains
 * (the dispatch chain first: it refers to the DNAT chain).
 */
export async function removeNodeRules(nf: Netfilter, node: string): Promise<number> {
  let removed = 0;
  const comment = ownerComment(node);
  for (const chain of ['PREROUTING', 'OUTPUT', 'POSTROUTING']) {
    for (const rule of await nf.listRules('nat', chain)) {
      if (tagged(rule, comment)) {
        await nf.deleteRule('nat', chain, rule);
        removed++;
      }
    }
  }
  const chains = await nf.listChains('nat');
  for (const mine of [serviceChain(node), vipChain(node)]) {
    if (!chains.includes(mine)) continue;
    removed += (await nf.listRules('nat', mine)).length;
    await nf.deleteChain('nat', mine);
  }
  return removed;
}

/**
 * Remove the rules and chains of every Shoal node on this host (a whole local
 * cluster's teardown, or a node that will not come back): everything tagged
 * `shoal:*` in the built-in nat chains, then every SHOAL-SVC-* and SHOAL-VIP-* chain.
 */
export async function removeAllShoalRules(nf: Netfilter): Promise<number> {
  let removed = 0;
  for (const chain of ['PREROUTING', 'OUTPUT', 'POSTROUTING']) {
    for (const rule of await nf.listRules('nat', chain)) {
      const at = rule.indexOf('--comment');
      if (at >= 0 && rule[at + 1]?.startsWith('shoal:')) {
        await nf.deleteRule('nat', chain, rule);
        removed++;
      }
    }
  }
  const chains = (await nf.listChains('nat')).filter((c) => c.startsWith('SHOAL-SVC-') || c.startsWith('SHOAL-VIP-'));
  // Dispatch chains first: they jump to the DNAT chains.
  chains.sort((a, b) => Number(b.startsWith('SHOAL-SVC-')) - Number(a.startsWith('SHOAL-SVC-')));
  for (const c of chains) {
    removed += (await nf.listRules('nat', c)).length;
    await nf.deleteChain('nat', c);
  }
  return removed;
}

export class VipPlumbing {
  private readonly log: Logger;
  private lastVip: string | undefined;
  private lastSources: string | undefined;
  private started = false;

  constructor(private readonly cfg: VipPlumbingConfig) {
    this.log = cfg.logger.child({ component: 'vip-plumbing', node: cfg.node });
  }

  get chains(): { dispatch: string; dnat: string } {
    return { dispatch: serviceChain(this.cfg.node), dnat: vipChain(this.cfg.node) };
  }

  async start(): Promise<void> {
    const nf = this.cfg.netfilter;
    const stale = await removeNodeRules(nf, this.cfg.node);
    if (stale > 0) this.log.info('removed rules left by an earlier run', { rules: stale });
    // Chains before jumps, the DNAT chain before the chain that jumps to it:
    // a jump to a missing chain is refused.
    const sources = sourceRules(this.cfg);
    await nf.replaceChain('nat', vipChain(this.cfg.node), []);
    await nf.replaceChain('nat', serviceChain(this.cfg.node), sources);
    for (const j of jumpRules(this.cfg)) await nf.ensureRule('nat', j.chain, j.rule, j.at);
    this.lastVip = '[]';
    this.lastSources = JSON.stringify(sources);
    this.started = true;
  }

  /**
   * Make the chains carry exactly these targets, for the node slice plus
   * `extraSources` (this node's pod IPs outside its slice). Unchanged chains
   * are not rewritten.
   */
  async sync(targets: readonly VipTarget[], extraSources: readonly string[] = []): Promise<void> {
    if (!this.started) throw new PlumbingNotStartedError('VipPlumbing.sync called before start');
    const dnat = vipRules(this.cfg.node, targets);
    const dnatText = JSON.stringify(dnat);
    if (dnatText !== this.lastVip) {
      await this.cfg.netfilter.replaceChain('nat', vipChain(this.cfg.node), dnat);
      this.lastVip = dnatText;
      this.log.debug('vip rules updated', { rules: dnat.length });
    }
    const sources = sourceRules(this.cfg, extraSources);
    const sourcesText = JSON.stringify(sources);
    if (sourcesText !== this.lastSources) {
      await this.cfg.netfilter.replaceChain('nat', serviceChain(this.cfg.node), sources);
      this.lastSources = sourcesText;
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    this.lastVip = undefined;
    this.lastSources = undefined;
    await removeNodeRules(this.cfg.netfilter, this.cfg.node);
  }
}
