// Randomized simulation, seeds 1..250 of the 1,000 CI runs (split in four
// files so each stays well inside tap's per-file timeout on a busy machine):
// lossy, duplicating, reordering network, partitions both ways, crashes and
// restarts, leader transfers, membership changes and snapshots, with safety
// checked after every step. Replay a failing seed: npm run sim -- --seed <seed>
import t from 'tap';
import { runSeedBatch } from './seed-batch.js';

t.test('random seeds 1..250 keep Raft safe and live', async (t) => runSeedBatch(t, 1, 250));
