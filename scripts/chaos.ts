/**
 * npm run chaos -- <scenario> [--duration S] [--seed N] [--history FILE] [--config FILE]
 *
 * Runs a fault scenario against the local cluster (started by
 * `npm run cluster -- up`) while a workload keeps going, then checks that the
 * cluster converges and the invariants hold: replicas Running, no StatefulSet
 * ordinal running twice, every acknowledged write present, the KV history
 * linearizable, no rule left behind. Prints one verdict line; exits 1 on any
 * violation.
 *
 * Scenarios: kill-leader, kill-random, pause, restart, partition,
 * partition-leader, flaky, node-loss.
 */
import { join } from 'node:path';
import { LocalCluster, ROOT } from './lib/local-cluster.js';
import { runChaos } from './lib/chaos/runner.js';
import { SCENARIOS } from './lib/chaos/scenarios.js';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const scenario = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--')));
  if (!scenario || args.includes('--help')) {
    process.stderr.write(`usage: npm run chaos -- <scenario> [--duration S] [--seed N] [--history FILE] [--config FILE]\nscenarios: ${Object.keys(SCENARIOS).join(', ')}\n`);
    return scenario ? 0 : 2;
  }
  if (!SCENARIOS[scenario]) {
    process.stderr.write(`error: unknown scenario "${scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})\n`);
    return 2;
  }
  const durationS = Number(arg(args, '--duration') ?? 60);
  const seed = Number(arg(args, '--seed') ?? Date.now() % 100000);
  if (!(durationS > 0) || !Number.isInteger(seed)) {
    process.stderr.write('error: --duration must be a positive number of seconds and --seed an integer\n');
    return 2;
  }
  const cluster = new LocalCluster(arg(args, '--config') ?? join(ROOT, 'cluster-config/local-3node.yaml'));
  const missing = cluster.nodes.filter((n) => !cluster.pid(n.name)).map((n) => n.name);
  if (missing.length) {
    process.stderr.write(`error: ${missing.join(', ')} not running; start the cluster first: npm run cluster -- up\n`);
    return 2;
  }
  const history = arg(args, '--history') ?? join(ROOT, '.shoal', `chaos-${scenario}-${seed}.jsonl`);
  const r = await runChaos({ cluster, scenario, durationS, seed, historyFile: history });
  for (const v of r.violations) console.log(`[chaos] violation: ${v}`);
  console.log(`[chaos] history: ${history}`);
  console.log(r.verdict);
  return r.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[chaos] error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
