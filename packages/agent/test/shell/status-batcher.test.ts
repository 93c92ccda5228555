import t from 'tap';
import { silentLogger } from '@shoal/log';
import type { AgentSink, PodStatusUpdate } from '@shoal/agent';
import { StatusBatcher } from '../../src/shell/status-batcher.js';

function sink(fails: number): AgentSink & { batches: PodStatusUpdate[][] } {
  const batches: PodStatusUpdate[][] = [];
  return {
    batches,
    async updatePodStatus(b) {
      if (fails-- > 0) throw new Error('leader unavailable');
      batches.push(b);
    },
    async deletePod() {},
    async updateNodeStatus() {},
  };
}
const u = (uid: string, phase: 'Pending' | 'Running') => ({ namespace: 'default', name: uid, uid, status: { phase } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('changes in one pass go together; repeats are not sent; the window holds later ones', async (t) => {
  const s = sink(0);
  const b = new StatusBatcher(s, 1000, silentLogger);
  t.teardown(() => b.close());
  b.offer(u('a', 'Pending'));
  b.offer(u('b', 'Pending'));
  b.offer(u('a', 'Running')); // the newest status of a pod wins
  await sleep(10);
  t.same(s.batches, [[u('a', 'Running'), u('b', 'Pending')]], 'one batch, sent at once after a quiet spell');
  b.offer(u('a', 'Running'));
  b.offer(u('b', 'Running'));
  await sleep(10);
  t.equal(s.batches.length, 1, 'within the window: held');
  await sleep(1200);
  t.same(s.batches[1], [u('b', 'Running')], 'unchanged a not resent');
});

t.test('a failed send is retried with the newest statuses', async (t) => {
  const s = sink(1);
  const b = new StatusBatcher(s, 20, silentLogger);
  t.teardown(() => b.close());
  b.offer(u('a', 'Pending'));
  await sleep(10);
  t.same(s.batches, []);
  b.offer(u('a', 'Running'));
  await sleep(700);
  t.same(s.batches, [[u('a', 'Running')]]);
});
