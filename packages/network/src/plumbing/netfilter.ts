/**
 * The narrow slice of netfilter Shoal uses: its own chains in a table, whole
 * chain contents swapped atomically, and jump rules into them. A rule is its
 * iptables arguments after `-A <chain>`, e.g. ['-d', '10.96.0.10/32', '-j', 'DNAT', ...].
 * `IptablesNetfilter` drives the real thing; `MemoryNetfilter` is its twin.
 */

export type Table = 'nat' | 'filter';
export type Rule = readonly string[];

export interface Netfilter {
  listChains(table: Table): Promise<string[]>;
  /** The rules of a chain in order; [] when the chain does not exist. */
  listRules(table: Table, chain: string): Promise<Rule[]>;
  /** Create the chain if missing and make its content exactly `rules`, atomically. */
  replaceChain(table: Table, chain: string, rules: readonly Rule[]): Promise<void>;
  /** Flush and delete a chain; no-op when missing. Jumps to it must be gone first. */
  deleteChain(table: Table, chain: string): Promise<void>;
  /** Add `rule` at the head (default) or tail of a chain unless an identical rule is there. */
  ensureRule(table: Table, chain: string, rule: Rule, at?: 'head' | 'tail'): Promise<void>;
  /** Delete one occurrence of `rule`; no-op when absent. */
  deleteRule(table: Table, chain: string, rule: Rule): Promise<void>;
}

export class NetfilterError extends Error {
  override name = 'NetfilterError';
}

function same(a: Rule, b: Rule): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const BUILTIN: Record<Table, string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** In-memory netfilter with the same semantics, for unit tests. */
export class MemoryNetfilter implements Netfilter {
  readonly tables: Record<Table, Map<string, Rule[]>> = {
    nat: new Map(BUILTIN.nat.map((c) => [c, []])),
    filter: new Map(BUILTIN.filter.map((c) => [c, []])),
  };

  async listChains(table: Table): Promise<string[]> {
    return [...this.tables[table].keys()];
  }
  async listRules(table: Table, chain: string): Promise<Rule[]> {
    return [...(this.tables[table].get(chain) ?? [])];
  }
  async replaceChain(table: Table, chain: string, rules: readonly Rule[]): Promise<void> {
    for (const r of rules) this.checkTarget(table, r);
    this.tables[table].set(chain, rules.map((r) => [...r]));
  }
  async deleteChain(table: Table, chain: string): Promise<void> {
    if (BUILTIN[table].includes(chain)) throw new NetfilterError(`cannot delete built-in chain ${chain}`);
    for (const [name, rules] of this.tables[table]) {
      if (name !== chain && rules.some((r) => r[r.indexOf('-j') + 1] === chain)) throw new NetfilterError(`chain ${chain} is still referenced from ${name}`);
    }
    this.tables[table].delete(chain);
  }
  async ensureRule(table: Table, chain: string, rule: Rule, at: 'head' | 'tail' = 'head'): Promise<void> {
    const rules = this.tables[table].get(chain);
    if (!rules) throw new NetfilterError(`no chain ${chain} in ${table}`);
    this.checkTarget(table, rule);
    if (rules.some((r) => same(r, rule))) return;
    if (at === 'head') rules.unshift([...rule]);
    else rules.push([...rule]);
  }
  async deleteRule(table: Table, chain: string, rule: Rule): Promise<void> {
    const rules = this.tables[table].get(chain);
    const at = rules?.findIndex((r) => same(r, rule)) ?? -1;
    if (at >= 0) rules!.splice(at, 1);
  }
  private checkTarget(table: Table, rule: Rule): void {
    const target = rule[rule.indexOf('-j') + 1];
    if (target && /^SHOAL-/.test(target) && !this.tables[table].has(target)) throw new NetfilterError(`jump to missing chain ${target}`);
  }
}
