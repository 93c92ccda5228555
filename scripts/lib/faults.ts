/**
 * Real network faults on loopback for the local cluster: iptables rules in
 * the filter table, each tagged with a comment naming the run, so `heal()`
 * (and a crash-safe `cleanupRun()`) removes exactly the rules this run made.
 * Only traffic between the cluster's own 127.0.0.x addresses is touched.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class FaultError extends Error {
  override name = 'FaultError';
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

  private rule(src: string, dst: string, extra: string[] = []): string[] {
    for (const a of [src, dst]) {
      if (!/^127\.\d+\.\d+\.\d+$/.test(a)) throw new FaultError(`refusing a fault outside loopback: ${a}`);
    }
    return ['INPUT', '-s', src, '-d', dst, ...extra, '-m', 'comment', '--comment', this.tag, '-j', 'DROP'];
  }

  /** Drop every packet from `src` to `dst` (one way). */
  async dropOneWay(src: string, dst: string): Promise<void> {
    await iptables(['-I', ...this.rule(src, dst)]);
  }

  /** Cut `node` off from every address in `others`, both ways. */
  async isolate(node: string, others: string[]): Promise<void> {
    for (const o of others) {
      await this.dropOneWay(node, o);
      await this.dropOneWay(o, node);
    }
  }

  /** Drop a random share of packets between `node` and each of `others`, both ways. */
  async flaky(node: string, others: string[], probability: number): Promise<void> {
    if (!(probability > 0 && probability < 1)) throw new FaultError(`probability must be in (0, 1), got ${probability}`);
    const stat = ['-m', 'statistic', '--mode', 'random', '--probability', String(probability)];
    for (const o of others) {
      await iptables(['-I', ...this.rule(node, o, stat)]);
      await iptables(['-I', ...this.rule(o, node, stat)]);
    }
  }

  /** The rules this run has in place now, as `iptables -S` prints them. */
  async rules(): Promise<string[]> {
    const out = await iptables(['-S', 'INPUT']);
    return out.split('\n').filter((l) => l.includes(`"${this.tag}"`) || l.includes(` ${this.tag} `) || l.endsWith(this.tag));
  }

  /** Remove every rule this run made. */
  async heal(): Promise<number> {
    const rules = await this.rules();
    for (const r of rules) {
      // "-A INPUT ..." becomes "-D INPUT ..."; the comment may be quoted.
      const args = r.replace(/^-A /, '-D ').match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"(.*)"$/, '$1'));
      await iptables(args);
    }
    return rules.length;
  }
}
