// A short chaos run on a private cluster: leader kills and partitions while
// KV clients read and write and a Deployment and a StatefulSet run. The
// recorded history must be linearizable, the cluster must converge, no
// StatefulSet ordinal may run twice at once, and no fault may be left behind.
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHistory } from '@shoal/lincheck';
import { PrivateCluster } from '../../scripts/lib/private-cluster.js';
import { runChaos } from '../../scripts/lib/chaos/runner.js';

for (const [scenario, seed] of [['kill-leader', 11], ['partition-leader', 12]] as const) {
  t.test(`chaos ${scenario}: linearizable, converged, no ordinal twice`, async (t) => {
    const pc = new PrivateCluster();
    t.teardown(() => pc.close());
    await pc.start();
    const history = join(mkdtempSync(join(tmpdir(), 'shoal-chaos-')), 'history.jsonl');
    const r = await runChaos({ cluster: pc.cluster, scenario, durationS: 20, seed, historyFile: history, log: (m) => t.comment(m) });
    t.comment(r.verdict);
    t.same(r.violations, [], 'no violation');
    t.ok(r.faults >= 2, `${r.faults} faults injected`);
    const ops = parseHistory(readFileSync(history, 'utf8'));
    t.ok(ops.filter((o) => o.outcome === 'ok').length > 20, `${ops.length} operations recorded`);
    t.ok(ops.some((o) => o.outcome === 'ok' && o.op !== 'get'), 'writes were acknowledged');
  });
}
