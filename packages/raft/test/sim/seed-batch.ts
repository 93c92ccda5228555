// Runs a batch of random simulation seeds as one tap test (shared by the
// random-seeds-*.test.ts files, split so each stays well inside tap's
// per-file timeout on a busy machine).
import type { Test } from 'tap';
import { runSeed } from '../../src/sim/random-run.js';

export function runSeedBatch(t: Test, start: number, count: number): void {
  const failures: string[] = [];
  const total = { acked: 0, reads: 0, snapshots: 0, confChanges: 0, crashes: 0, terms: 0 };
  for (let seed = start; seed < start + count; seed++) {
    const r = runSeed(seed);
    total.acked += r.acked;
    total.reads += r.reads;
    total.snapshots += r.snapshotsDelivered;
    total.confChanges += r.confChangesApplied;
    total.crashes += r.crashes;
    total.terms += r.maxTerm;
    if (!r.ok) failures.push(`seed ${seed}: ${r.error}`);
  }
  t.same(failures, [], `seeds ${start}..${start + count - 1}: failing seeds (replay with npm run sim -- --seed S)`);
  t.ok(total.acked > count * 20, `writes acknowledged: ${total.acked}`);
  t.ok(total.reads > count * 5, `linearizable reads checked: ${total.reads}`);
  // The faults the runs are meant to exercise did happen.
  t.ok(total.snapshots > count / 10, `snapshots installed: ${total.snapshots}`);
  t.ok(total.confChanges > count, `membership change entries applied: ${total.confChanges}`);
  t.ok(total.crashes > count, `crashes: ${total.crashes}`);
  t.ok(total.terms > count * 2, `terms started: ${total.terms}`);
}
