/**
 * Real network faults between the daemons of a local cluster.
 *
 * On loopback the kernel gives outgoing connections the source address
 * 127.0.0.1 whatever the destination, so a rule on source addresses cannot
 * tell the nodes apart. Instead each daemon runs in its own cgroup (v2), and
 * a fault drops, in the OUTPUT chain, packets that one node's processes send
 * to another node's address (`-m cgroup --path`). Every rule carries a
 * comment naming the run, so `heal()` removes exactly the rules this run made.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the unified (v2) cgroup hierarchy is mounted, if anywhere. */
export function cgroup2Root(): string | undefined {
  for (const p of ['/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    if (existsSync(join(p, 'cgroup.procs')) && (existsSync(join(p, 'cgroup.subtree_control')) || p.endsWith('unified'))) return p;
  }
  return undefined;
}

export class FaultError extends Error {
  override name = 'FaultError';
}

/** A node as faults see it: the address others reach it at and the cgroup its daemon runs in. */
export interface FaultTarget {
  address: string;
  /** Path relative to the cgroup2 root, e.g. shoal/local/node-1. */
  cgroup: string;
}

/** Put `pid` into the cgroup `path` (created if missing). */
export function joinCgroup(path: string, pid: number): void {
  const root = cgroup2Root();
  if (!root) throw new FaultError('no cgroup v2 hierarchy is mounted; network faults need one');
  const dir = join(root, path);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
}

/**
 * Remove an empty cgroup and its empty parents up to the root. False when the
 * cgroup itself is still busy (for example a killed process not yet reaped).
 */
export function removeCgroup(path: string): boolean {
  const root = cgroup2Root();
  if (!root) return true;
  const parts = path.split('/');
  let first = true;
  while (parts.length) {
    try {
      rmdirSync(join(root, ...parts));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (first && code !== 'ENOENT') return false;
      return true;
    }
    first = false;
    parts.pop();
  }
  return true;
}

async function iptables(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('iptables', ['-w', '5', ...args]);
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new FaultError('iptables is not installed (apt-get install iptables)');
    throw new FaultError(`iptables ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}

export class NetworkFaults {
  readonly tag: string;

  constructor(runId: string) {
    if (!/^[a-z0-9-]{1,40}$/.test(runId)) throw new FaultError(`run id must be [a-z0-9-], got "${runId}"`);
    this.tag = `shoal-chaos:${runId}`;
  }

  private rule(from: FaultTarget, to: FaultTarget, extra: string[] = []): string[] {
    if (!/^127\.\d+\.\d+\.\d+$/.test(to.address)) throw new FaultError(`refusing a fault outside loopback: ${to.address}`);
    if (!/^[\w./-]+$/.test(from.cgroup)) throw new FaultError(`bad cgroup path "${from.cgroup}"`);
    return ['OUTPUT', '-m', 'cgroup', '--path', from.cgroup, '-d', to.address, ...extra, '-m', 'comment', '--comment', this.tag, '-j', 'DROP'];
  }

  /** Drop everything `from`'s daemon sends to `to` (one way). */
  async dropOneWay(from: FaultTarget, to: FaultTarget): Promise<void> {
    await iptables(['-I', ...this.rule(from, to)]);
  }

  /** Cut `node` off from every one of `others`, both ways. */
  async isolate(node: FaultTarget, others: FaultTarget[]): Promise<void> {
    for (const o of others) {
      await this.dropOneWay(node, o);
      await this.dropOneWay(o, node);
    }
  }

  /** Drop a random share of what `node` and each of `others` send each other. */
  async flaky(node: FaultTarget, others: FaultTarget[], probability: number): Promise<void> {
    if (!(probability > 0 && probability < 1)) throw new FaultError(`probability must be in (0, 1), got ${probability}`);
    const stat = ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)];
    for (const o of others) {
      await iptables(['-I', ...this.rule(node, o, stat)]);
      await iptables(['-I', ...this.rule(o, node, stat)]);
    }
  }

  /** The rules this run has in place now, as `iptables -S` prints them. */
  async rules(): Promise<string[]> {
    const out = await iptables(['-S', 'OUTPUT']);
    return out.split('\n').filter((l) => l.includes(this.tag));
  }

  /** Remove every rule this run made. */
  async heal(): Promise<number> {
    const rules = await this.rules();
    for (const r of rules) {
      // "-A OUTPUT ..." becomes "-D OUTPUT ..."; the comment may be quoted.
      const args = r.replace(/^-A /, '-D ').match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"(.*)"$/, '$1'));
      await iptables(args);
    }
    return rules.length;
  }
}
