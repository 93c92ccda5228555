import t from 'tap';
import { MemoryLogger } from '@shoal/log';
import { LeaderRole } from '../src/leader-role.js';

t.test('loops run only while leading and never overlap', async (t) => {
  const log: string[] = [];
  let live = 0;
  let maxLive = 0;
  let gen = 0;
  const role = new LeaderRole(async () => {
    const g = ++gen;
    live++;
    maxLive = Math.max(maxLive, live);
    log.push(`start ${g}`);
    await new Promise((r) => setTimeout(r, 5));
    return {
      stop: async () => {
        await new Promise((r) => setTimeout(r, 5));
        live--;
        log.push(`stop ${g}`);
      },
    };
  }, new MemoryLogger());

  // Flapping faster than loops start and stop: only the last wish counts,
  // and a new generation starts only after the previous one stopped.
  const first = role.set(true);
  await new Promise((r) => setTimeout(r, 1)); // generation 1 is starting
  void role.set(false);
  await role.set(true);
  await first;
  t.equal(role.active, true);
  await role.set(false);
  await role.set(true);
  await role.stop();
  t.equal(role.active, false);
  t.equal(maxLive, 1, 'never two generations at once');
  t.same(log, ['start 1', 'stop 1', 'start 2', 'stop 2']);
});

t.test('a failing start is logged and the role stays inactive', async (t) => {
  const logger = new MemoryLogger();
  const role = new LeaderRole(async () => {
    throw new Error('boom');
  }, logger);
  await role.set(true);
  t.equal(role.active, false);
  t.match(logger.records.at(-1), { level: 'error', msg: 'leader role transition failed' });
});
