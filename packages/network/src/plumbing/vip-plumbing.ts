/**
 * Owns this node's nat rules: creates its chain and the jumps into it at
 * start (after removing anything a crashed run left with the same owner tag),
 * swaps the chain's content on every sync, and removes all of it at stop.
 */
import type { Logger } from '@shoal/log';
import type { Netfilter, Rule } from './netfilter.js';
import { jumpRules, ownerComment, serviceChain, vipRules, type VipRulesConfig, type VipTarget } from './vip-rules.js';

export interface VipPlumbingConfig extends VipRulesConfig {
  netfilter: Netfilter;
  logger: Logger;
}

function tagged(rule: Rule, comment: string): boolean {
  const at = rule.indexOf('--comment');
  return at >= 0 && rule[at + 1] === comment;
}

/**
 * Remove every nat rule and chain owned by `node`, whatever run created them:
 * jumps tagged `shoal:<node>` in the built-in chains, then the node's chain.
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
  const mine = serviceChain(node);
  if ((await nf.listChains('nat')).includes(mine)) {
    removed += (await nf.listRules('nat', mine)).length;
    await nf.deleteChain('nat', mine);
  }
  return removed;
}

export class PlumbingNotStartedError extends Error {
  override name = 'PlumbingNotStartedError';
}

export class VipPlumbing {
  private readonly log: Logger;
  private last: string | undefined;
  private started = false;

  constructor(private readonly cfg: VipPlumbingConfig) {
    this.log = cfg.logger.child({ component: 'vip-plumbing', node: cfg.node });
  }

  get chain(): string {
    return serviceChain(this.cfg.node);
  }

  async start(): Promise<void> {
    const stale = await removeNodeRules(this.cfg.netfilter, this.cfg.node);
    if (stale > 0) this.log.info('removed rules left by an earlier run', { rules: stale });
    // Chain first, jumps second: a jump to a missing chain is refused.
    await this.cfg.netfilter.replaceChain('nat', this.chain, []);
    for (const j of jumpRules(this.cfg.node)) await this.cfg.netfilter.ensureRule('nat', j.chain, j.rule);
    this.last = '[]';
    this.started = true;
  }

  /** Make the node's chain carry exactly these targets (a no-op when unchanged). */
  async sync(targets: readonly VipTarget[]): Promise<void> {
    if (!this.started) throw new PlumbingNotStartedError('VipPlumbing.sync called before start');
    const rules = vipRules(this.cfg, targets);
    const text = JSON.stringify(rules);
    if (text === this.last) return;
    await this.cfg.netfilter.replaceChain('nat', this.chain, rules);
    this.last = text;
    this.log.debug('vip rules updated', { rules: rules.length });
  }

  async stop(): Promise<void> {
    this.started = false;
    this.last = undefined;
    await removeNodeRules(this.cfg.netfilter, this.cfg.node);
  }
}
