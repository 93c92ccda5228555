/**
 * Runs the deterministic Raft simulation.
 *
 *   npm run sim -- --seeds N [--start S] [--steps K]   run N seeds (S, S+1, ...), print each failing seed
 *   npm run sim -- --seed S [--steps K]                replay one seed exactly, printing its trace
 *
 * The last line is always `sim: seeds=N failures=F`; the exit status is
 * non-zero when any seed fails.
 */
import { runSeed, type RunOptions } from '@shoal/raft';

interface Args {
  seeds?: number;
  seed?: number;
  start: number;
  steps?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { start: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? a.split('=', 2) as [string, string] : [a, undefined];
    const value = (): number => {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n)) throw new Error(`${flag} needs an integer`);
      return n;
    };
    if (flag === '--seeds') args.seeds = value();
    else if (flag === '--seed') args.seed = value();
    else if (flag === '--start') args.start = value();
    else if (flag === '--steps') args.steps = value();
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

function main(): number {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: npm run sim -- --seeds N | --seed S [--steps K]\n`);
    return 2;
  }
  const base: RunOptions = args.steps !== undefined ? { steps: args.steps } : {};

  if (args.seed !== undefined) {
    const r = runSeed(args.seed, { ...base, trace: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(
      `seed ${r.seed}: ${r.ok ? 'ok' : `FAILED: ${r.error}`} (nodes=${r.nodes} acked=${r.acked} reads=${r.reads} steps=${r.steps} maxTerm=${r.maxTerm} snapshots=${r.snapshotsDelivered} confChanges=${r.confChangesApplied} crashes=${r.crashes})\n`,
    );
    process.stdout.write(`sim: seeds=1 failures=${r.ok ? 0 : 1}\n`);
    return r.ok ? 0 : 1;
  }

  const n = args.seeds ?? 100;
  const started = performance.now();
  let failures = 0;
  const total = { acked: 0, reads: 0, snapshots: 0, confChanges: 0, crashes: 0 };
  const tty = process.stdout.isTTY === true;
  for (let i = 0; i < n; i++) {
    const seed = args.start + i;
    const r = runSeed(seed, base);
    total.acked += r.acked;
    total.reads += r.reads;
    total.snapshots += r.snapshotsDelivered;
    total.confChanges += r.confChangesApplied;
    total.crashes += r.crashes;
    if (!r.ok) {
      failures++;
      process.stdout.write(`${tty ? '\n' : ''}FAIL seed ${seed}: ${r.error} (replay: npm run sim -- --seed ${seed})\n`);
    }
    const done = i + 1;
    if (tty) process.stdout.write(`\rsim: ${done}/${n} seeds, ${failures} failures`);
    else if (done % 100 === 0 || done === n) process.stdout.write(`sim: ${done}/${n} seeds, ${failures} failures, ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
  }
  if (tty) process.stdout.write('\n');
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `sim: ${secs}s; acknowledged writes ${total.acked}, checked reads ${total.reads}, snapshots installed ${total.snapshots}, membership changes applied ${total.confChanges}, crashes ${total.crashes}\n`,
  );
  process.stdout.write(`sim: seeds=${n} failures=${failures}\n`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = main();
