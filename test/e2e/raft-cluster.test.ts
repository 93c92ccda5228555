/**
 * Three real Shoal Raft processes (LevelDB + gRPC) on loopback: write,
 * SIGKILL the leader, write through a survivor, read back linearizably,
 * restart the killed node and see it catch up.
 */
import t from 'tap';
import { shoalClient } from '../../scripts/bench/kv-clients.js';
import { shoalCluster } from '../../scripts/bench/process-cluster.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function retry<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw new Error(`${what}: still failing after ${ms} ms`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

t.test('a 3-process cluster survives the SIGKILL of its leader', async (t) => {
  const cluster = await shoalCluster();
  t.teardown(() => cluster.stop());
  await cluster.startAll();
  const leader = await cluster.waitLeader(30_000);
  const c = cluster.clients;

  for (let i = 0; i < 10; i++) await retry('first writes', 10_000, () => c[i % 3]!.put(enc.encode(`k${i}`), enc.encode(`v${i}`), 2000));

  cluster.kill(leader);
  const survivor = (leader + 1) % 3;
  await retry('write after failover', 15_000, () => c[survivor]!.put(enc.encode('after'), enc.encode('kill'), 1000));
  const other = (leader + 2) % 3;
  const got = await retry('read on the other survivor', 5000, () => c[other]!.get!(enc.encode('after'), 2000));
  t.equal(got && dec.decode(got), 'kill', 'the write is visible through the other survivor');
  const old = await c[other]!.get!(enc.encode('k9'), 2000);
  t.equal(old && dec.decode(old), 'v9', 'writes before the kill survive');

  cluster.start(leader);
  const client = shoalClient(cluster.endpoints[leader]!);
  t.teardown(() => client.close());
  const back = await retry('restarted node catches up', 20_000, async () => {
    const v = await client.get!(enc.encode('after'), 1000);
    if (!v) throw new Error('not yet');
    return v;
  });
  t.equal(dec.decode(back), 'kill', 'the restarted node recovered from disk and caught up');
});
