import t from 'tap';
import {
  FieldSelectorError, UnknownKindError, formatFieldSelector, formatKey, getCondition, isConditionTrue, isNamespaced, kindInfo,
  matchesFieldSelector, objectKey, parseFieldSelector, removeCondition, resolveKind, setCondition, type Condition, type KubeObject,
} from '../src/index.js';
import { thrown } from './helpers.js';

t.test('field selectors', async (t) => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } } as KubeObject;
  const pending = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2', namespace: 'prod' }, spec: {} } as KubeObject;
  const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
  t.same(sel, [{ field: 'spec.nodeName', operator: '=', value: 'n1' }, { field: 'status.phase', operator: '!=', value: 'Failed' }]);
  t.ok(matchesFieldSelector(sel, pod));
  t.notOk(matchesFieldSelector(sel, pending));
  t.ok(matchesFieldSelector(parseFieldSelector('spec.nodeName='), pending), 'unbound pods have an empty nodeName');
  t.ok(matchesFieldSelector(parseFieldSelector('metadata.name==web-1,metadata.namespace=prod'), pod));
  t.notOk(matchesFieldSelector(parseFieldSelector('metadata.name!=web-1'), pod));
  t.ok(matchesFieldSelector(undefined, pod));
  t.same(parseFieldSelector(' '), []);
  t.equal(formatFieldSelector(sel), 'spec.nodeName=n1,status.phase!=Failed');
  t.ok(thrown(() => parseFieldSelector('spec.foo=1')) instanceof FieldSelectorError);
  t.match(String(thrown(() => parseFieldSelector('spec.foo=1'))), /field "spec.foo" is not supported/);
  t.match(String(thrown(() => parseFieldSelector('nonsense'))), /must be <field>=<value>/);
  const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'prod' }, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'prod', uid: 'u1' }, reason: 'Started', message: 'm', type: 'Normal' } as unknown as KubeObject;
  t.ok(matchesFieldSelector(parseFieldSelector('involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.namespace=prod,involvedObject.uid=u1'), ev));
  t.ok(matchesFieldSelector(parseFieldSelector('reason=Started,type=Normal'), ev));
  t.notOk(matchesFieldSelector(parseFieldSelector('involvedObject.name=web-2'), ev));
  t.ok(matchesFieldSelector(parseFieldSelector('involvedObject.name='), pod), 'fields a kind lacks read as empty');
  t.notOk(matchesFieldSelector(parseFieldSelector('type=Normal'), pod));
});

t.test('kinds and keys', async (t) => {
  t.same(kindInfo('Deployment'), { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true, plural: 'deployments', short: ['deploy'] });
  t.ok(thrown(() => kindInfo('Widget')) instanceof UnknownKindError);
  t.ok(isNamespaced('Pod'));
  t.notOk(isNamespaced('Node'));
  t.equal(resolveKind('po'), 'Pod');
  t.equal(resolveKind('deployments'), 'Deployment');
  t.equal(resolveKind('DEPLOY'), 'Deployment');
  t.equal(resolveKind('cronjob'), 'CronJob');
  t.equal(resolveKind('widgets'), undefined);
  t.same(objectKey({ kind: 'Pod', metadata: { name: 'p' } }), { kind: 'Pod', namespace: 'default', name: 'p' });
  t.same(objectKey({ kind: 'Node', metadata: { name: 'n', namespace: 'x' } }), { kind: 'Node', namespace: '', name: 'n' });
  t.equal(formatKey({ kind: 'Pod', namespace: 'a', name: 'p' }), 'Pod/a/p');
  t.equal(formatKey({ kind: 'Node', namespace: '', name: 'n' }), 'Node/n');
});

t.test('conditions', async (t) => {
  const ready: Condition = { type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z' };
  const list = [ready];
  const same = setCondition(list, { type: 'Ready', status: 'False', reason: 'Still', lastTransitionTime: '2026-01-02T00:00:00Z' });
  t.equal(same[0]?.lastTransitionTime, '2026-01-01T00:00:00Z', 'no transition keeps the old time');
  t.equal(same[0]?.reason, 'Still');
  const flipped = setCondition(list, { type: 'Ready', status: 'True', lastTransitionTime: '2026-01-03T00:00:00Z' });
  t.equal(flipped[0]?.lastTransitionTime, '2026-01-03T00:00:00Z');
  t.ok(isConditionTrue(flipped, 'Ready'));
  t.equal(list[0], ready, 'input untouched');
  t.equal(list[0]?.status, 'False');
  const added = setCondition(undefined, { type: 'Available', status: 'True' });
  t.equal(added.length, 1);
  t.equal(getCondition(added, 'Available')?.status, 'True');
  t.equal(getCondition(undefined, 'x'), undefined);
  t.same(removeCondition(flipped, 'Ready'), []);
});
