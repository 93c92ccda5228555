// Randomized simulation over many seeds: lossy, duplicating, reordering
// network, partitions both ways, crashes and restarts, leader transfers,
// membership changes and snapshots, with safety checked after every step.
// A failing seed is named in the output; replay it with
//   npm run sim -- --seed <seed>
import t from 'tap';
import { runSeed } from '../../src/sim/random-run.js';

const SEEDS = Number(process.env.RAFT_SIM_SEEDS ?? 1000);
const START = Number(process.env.RAFT_SIM_START ?? 1);

t.test(`${SEEDS} random seeds keep Raft safe and live`, async (t) => {
  const failures: string[] = [];
  let acked = 0;
  let reads = 0;
  for (let seed = START; seed < START + SEEDS; seed++) {
    const r = runSeed(seed);
    acked += r.acked;
    reads += r.reads;
    if (!r.ok) failures.push(`seed ${seed}: ${r.error}`);
  }
  t.same(failures, [], `failing seeds (replay with npm run sim -- --seed S)`);
  t.ok(acked > SEEDS * 20, `writes acknowledged across seeds: ${acked}`);
  t.ok(reads > SEEDS * 5, `linearizable reads checked: ${reads}`);
});

t.test('the same seed replays exactly', async (t) => {
  const trace = (seed: number): string[] => {
    const lines: string[] = [];
    runSeed(seed, { trace: (l) => lines.push(l), steps: 600 });
    return lines;
  };
  const a = trace(12345);
  t.ok(a.length > 50);
  t.same(trace(12345), a);
  t.notSame(trace(12346), a);
});
