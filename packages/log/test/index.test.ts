import t from 'tap';
import { MemoryLogger, isLogLevel, silentLogger } from '@shoal/log';

t.test('child loggers share records and merge fields', async (t) => {
  const root = new MemoryLogger({ node: 'n1' });
  const raft = root.child({ component: 'raft' });
  raft.info('became leader', { term: 3 });
  root.warn('slow disk');
  t.same(root.records, [
    { level: 'info', msg: 'became leader', fields: { node: 'n1', component: 'raft', term: 3 } },
    { level: 'warn', msg: 'slow disk', fields: { node: 'n1' } },
  ]);
});

t.test('level names are checked', async (t) => {
  t.ok(isLogLevel('debug'));
  t.notOk(isLogLevel('verbose'));
  t.equal(silentLogger.child({}), silentLogger);
});
