import t from 'tap';
import { commandForAction, nameSuffixFrom, type LeaderChoices } from '../src/index.js';
import { key, newStore, ok, pod } from './helpers.js';

function choices(): LeaderChoices {
  let n = 0;
  return { uid: () => `u${++n}`, now: () => '2026-05-01T10:00:00Z', nameSuffix: () => 'abcde' };
}

t.test('actions become commands with the leader choices filled in', async (t) => {
  const c = choices();
  const gen = pod('');
  gen.metadata.name = '';
  gen.metadata.generateName = 'web-';
  t.same(commandForAction({ op: 'create', object: gen }, c), { type: 'create', object: gen, uid: 'u1', timestamp: '2026-05-01T10:00:00Z', nameSuffix: 'abcde' });
  t.same(commandForAction({ op: 'create', object: pod('named') }, c), { type: 'create', object: pod('named'), uid: 'u2', timestamp: '2026-05-01T10:00:00Z' });
  t.same(commandForAction({ op: 'update', object: pod('p') }, c), { type: 'update', object: pod('p') });
  t.same(commandForAction({ op: 'updateStatus', object: pod('p') }, c), { type: 'updateStatus', object: pod('p') });
  t.same(commandForAction({ op: 'delete', key: key('Pod', 'p'), propagationPolicy: 'Orphan', gracePeriodSeconds: 0, uid: 'x' }, c), {
    type: 'delete', key: key('Pod', 'p'), timestamp: '2026-05-01T10:00:00Z', propagationPolicy: 'Orphan', gracePeriodSeconds: 0, uid: 'x',
  });
  t.same(commandForAction({ op: 'delete', key: key('Pod', 'p') }, c), { type: 'delete', key: key('Pod', 'p'), timestamp: '2026-05-01T10:00:00Z' });
  t.same(commandForAction({ op: 'bind', key: key('Pod', 'p'), nodeName: 'n1', uid: 'y' }, c), { type: 'bind', key: key('Pod', 'p'), nodeName: 'n1', uid: 'y' });
  const s = newStore();
  t.equal(ok(s.apply(commandForAction({ op: 'create', object: gen }, c))).metadata.name, 'web-abcde');
});

t.test('name suffixes', async (t) => {
  let x = 0;
  const seq = () => ((x = (x + 0.37) % 1), x);
  const a = nameSuffixFrom(seq);
  t.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  t.equal(nameSuffixFrom(() => 0), 'bbbbb');
  t.equal(nameSuffixFrom(() => 0.9999999), '99999');
  t.equal(nameSuffixFrom(() => 0, 3).length, 3);
});
