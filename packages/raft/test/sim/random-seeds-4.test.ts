// Randomized simulation, seeds 751..1000 of the 1,000 CI runs (split in four
// files so each stays well inside tap's per-file timeout on a busy machine):
// lossy, duplicating, reordering network, partitions both ways, crashes and
// restarts, leader transfers, membership changes and snapshots, with safety
// checked after every step. Replay a failing seed: npm run sim -- --seed <seed>
import t from 'tap';
import { runSeed } from '../../src/sim/random-run.js';
import { runSeedBatch } from './seed-batch.js';

t.test('random seeds 751..1000 keep Raft safe and live', async (t) => runSeedBatch(t, 751, 250));

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
