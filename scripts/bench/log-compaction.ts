/**
 * `npm run bench -- log-compaction [--trials 5] [--mb 17]`: what taking a
 * snapshot does to the Raft log's writes. One LevelLogStore takes synced
 * saves in a closed loop (12 entries of 300 B each, like the raft bench's
 * batches) for one second, then, with the loop still running, compacts the
 * log into a snapshot of `--mb` megabytes. Prints, per trial and as
 * medians, the slowest save of the quiet second (the peer), the slowest
 * save from the compaction's start to 0.5 s after its end, how long the
 * compaction took, and the longest event-loop gap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EntryType, type Entry } from '@shoal/raft';
import { LevelLogStore } from '@shoal/storage';

interface Trial { quietMaxMs: number; duringMaxMs: number; compactMs: number; loopGapMs: number }

async function trial(mb: number): Promise<Trial> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-compaction-'));
  const store = new LevelLogStore(dir);
  try {
    await store.load();
    const payload = new Uint8Array(300).fill(7);
    const state = new Uint8Array(mb << 20);
    for (let i = 0; i < state.length; i += 4096) state[i] = i & 0xff;
    let index = 0;
    const batch = (): Entry[] => Array.from({ length: 12 }, () => ({ index: ++index, term: 1, type: EntryType.Normal, data: payload }));
    let slowest = 0;
    let stop = false;
    const saver = (async () => {
      while (!stop) {
        const t0 = performance.now();
        await store.save({ entries: batch(), hardState: { term: 1, vote: 'a', commit: index } });
        slowest = Math.max(slowest, performance.now() - t0);
      }
    })();
    let gap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }, 1);
    await new Promise((r) => setTimeout(r, 1000));
    const quietMaxMs = slowest;
    slowest = 0;
    gap = 0;
    const t0 = performance.now();
    await store.compact(index - 100, { metadata: { index: index - 50, term: 1, conf: { voters: ['a'], learners: [] } }, data: state });
    const compactMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await saver;
    clearInterval(timer);
    return { quietMaxMs, duringMaxMs: slowest, compactMs, loopGapMs: gap };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (x: number): string => x.toFixed(1).padStart(8);

export default async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { trials: { type: 'string', default: '5' }, mb: { type: 'string', default: '17' } } });
  const trials = Number(values.trials);
  const mb = Number(values.mb);
  if (!(trials >= 1) || !(mb >= 1)) throw new Error('--trials and --mb must be positive numbers');
  process.stdout.write(`log compaction: ${trials} trials, ${mb} MB snapshot, synced saves of 12 x 300 B entries in a loop\n`);
  process.stdout.write('trial  quiet max save ms  max save during compaction ms  compaction ms  longest loop gap ms\n');
  const rs: Trial[] = [];
  for (let i = 0; i < trials; i++) {
    const r = await trial(mb);
    rs.push(r);
    process.stdout.write(`${String(i + 1).padStart(5)}  ${f(r.quietMaxMs)}${' '.repeat(11)}${f(r.duringMaxMs)}${' '.repeat(23)}${f(r.compactMs)}${' '.repeat(8)}${f(r.loopGapMs)}\n`);
  }
  const q = median(rs.map((r) => r.quietMaxMs));
  const d = median(rs.map((r) => r.duringMaxMs));
  process.stdout.write(`median: quiet max save ${q.toFixed(1)} ms, during compaction ${d.toFixed(1)} ms (x${(d / q).toFixed(2)}), compaction ${median(rs.map((r) => r.compactMs)).toFixed(0)} ms, loop gap ${median(rs.map((r) => r.loopGapMs)).toFixed(0)} ms\n`);
}
