// A node that was down while the others compacted their logs past it comes
// back through a snapshot from the leader, and then keeps following the
// cluster: its network rules pick up a Service created after the install.
// (Before the fix, every in-process subscriber of the store went deaf once a
// snapshot replaced the store: the node never synced its VIP rules again.)
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { Service } from '@shoal/api';
import { IptablesNetfilter, vipChain } from '@shoal/network';
import { PrivateCluster } from '../../scripts/lib/private-cluster.js';
import { configMap } from './helpers/workloads.js';

t.test('a node restored from the leader\'s snapshot follows later changes', async (t) => {
  // Small snapshot intervals, so a few hundred writes compact the log past the absent node.
  const tc = new PrivateCluster({ timing: { snapshotEntries: 100, snapshotCatchUpEntries: 20, snapshotLogPercent: 0 } });
  t.teardown(() => tc.close());
  await tc.start();
  const leader = await tc.leader();
  const absent = tc.names.find((n) => n !== leader)!;
  const others = tc.names.filter((n) => n !== absent);

  tc.cluster.kill(absent);
  const c = tc.client(others, 5_000);
  for (let i = 0; i < 400; i++) await c.create(configMap(`while-away-${i}`, String(i)));

  tc.cluster.start(absent);
  await tc.cluster.waitListening(absent);
  await tc.until(`${absent} to install a snapshot`, async () => (readFileSync(tc.logTail(absent), 'utf8').includes('"msg":"installed snapshot"') ? true : undefined), 60_000);
  t.pass(`${absent} caught up through a snapshot`);

  const all = tc.client(tc.names, 5_000);
  await all.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'after-install', namespace: 'default' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } } as Service);
  const svc = await all.get<Service>('Service', 'after-install', { namespace: 'default' });
  const vip = svc.spec!.clusterIP!;
  const nf = new IptablesNetfilter();
  // The same check on a node that never went away shows what to expect.
  await tc.until(`${leader}'s VIP rules to include ${vip}`, async () => {
    const rules = await nf.listRules('nat', vipChain(leader));
    return rules.some((r) => r.join(' ').includes(`${vip}/32`)) ? true : undefined;
  }, 30_000);
  await tc.until(`${absent}'s VIP rules to include ${vip}`, async () => {
    const rules = await nf.listRules('nat', vipChain(absent));
    return rules.some((r) => r.join(' ').includes(`${vip}/32`)) ? true : undefined;
  }, 30_000);
  t.pass(`${absent} routes the new service's VIP ${vip}`);

  // And the restored node's store has everything written while it was away.
  const local = tc.client([absent], 5_000);
  const listed = await local.listAll('ConfigMap', { namespace: 'default', stale: true });
  t.equal(listed.items.filter((o) => o.metadata.name.startsWith('while-away-')).length, 400);
});
