/**
 * `Netfilter` over the iptables commands (execFile, never a shell). Every call
 * waits for the xtables lock (-w): several daemons on one host share it.
 */
import { execFile, spawn } from 'node:child_process';
import { NetfilterError, type Netfilter, type Rule, type Table } from './netfilter.js';

export interface IptablesConfig {
  /** Default 'iptables'. */
  iptables?: string;
  /** Default 'iptables-restore'. */
  iptablesRestore?: string;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new NetfilterError(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** Split one `iptables -S` line into words, honouring double quotes. */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

function quote(word: string): string {
  return /^[\w./:,!@%+=-]+$/.test(word) ? word : `"${word.replace(/["\\]/g, '\\$&')}"`;
}

export class IptablesNetfilter implements Netfilter {
  private readonly bin: string;
  private readonly restore: string;

  constructor(cfg: IptablesConfig = {}) {
    this.bin = cfg.iptables ?? 'iptables';
    this.restore = cfg.iptablesRestore ?? 'iptables-restore';
  }

  private async save(table: Table, chain?: string): Promise<string[]> {
    const out = await run(this.bin, ['-w', '-t', table, '-S', ...(chain ? [chain] : [])]);
    return out.split('\n').filter((l) => l.length > 0);
  }

  async listChains(table: Table): Promise<string[]> {
    return (await this.save(table)).map(splitRuleLine).filter((w) => w[0] === '-N' || w[0] === '-P').map((w) => w[1]!);
  }

  async listRules(table: Table, chain: string): Promise<Rule[]> {
    if (!(await this.listChains(table)).includes(chain)) return [];
    return (await this.save(table, chain)).map(splitRuleLine).filter((w) => w[0] === '-A' && w[1] === chain).map((w) => w.slice(2));
  }

  async replaceChain(table: Table, chain: string, rules: readonly Rule[]): Promise<void> {
    // With --noflush only the chains declared here are flushed: the swap of
    // this chain's whole content is one atomic commit, other chains untouched.
    const text = [`*${table}`, `:${chain} - [0:0]`, ...rules.map((r) => `-A ${chain} ${r.map(quote).join(' ')}`), 'COMMIT', ''].join('\n');
    await new Promise<void>((resolve, reject) => {
      const p = spawn(this.restore, ['-w', '--noflush'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      p.on('error', (err) => reject(new NetfilterError(`${this.restore}: ${err.message}`, { cause: err })));
      p.on('close', (code) => (code === 0 ? resolve() : reject(new NetfilterError(`${this.restore} exited ${code}: ${stderr.trim()}`))));
      p.stdin.end(text);
    });
  }

  async deleteChain(table: Table, chain: string): Promise<void> {
    if (!(await this.listChains(table)).includes(chain)) return;
    await run(this.bin, ['-w', '-t', table, '-F', chain]);
    await run(this.bin, ['-w', '-t', table, '-X', chain]);
  }

  async ensureRule(table: Table, chain: string, rule: Rule, at: 'head' | 'tail' = 'head'): Promise<void> {
    try {
      await run(this.bin, ['-w', '-t', table, '-C', chain, ...rule]);
      return; // already there
    } catch {
      // -C fails when the rule is absent: insert it.
    }
    await run(this.bin, ['-w', '-t', table, ...(at === 'head' ? ['-I', chain, '1'] : ['-A', chain]), ...rule]);
  }

  async deleteRule(table: Table, chain: string, rule: Rule): Promise<void> {
    try {
      await run(this.bin, ['-w', '-t', table, '-C', chain, ...rule]);
    } catch {
      return; // absent
    }
    await run(this.bin, ['-w', '-t', table, '-D', chain, ...rule]);
  }
}
