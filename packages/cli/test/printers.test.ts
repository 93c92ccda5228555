import t from 'tap';
import type { Deployment, PersistentVolumeClaim, Pod } from '@shoal/api';
import { rolloutState } from '../src/index.js';
import { shortDuration } from '../src/output/age.js';
import { columnsFor, podStatus } from '../src/output/columns.js';
import { Table } from '../src/output/table.js';

t.test('short durations read like kubectl', async (t) => {
  const s = 1000;
  const cases: [number, string][] = [[0, '0s'], [59 * s, '59s'], [119 * s, '119s'], [150 * s, '2m30s'], [600 * s, '10m'], [90 * 60 * s, '90m'], [150 * 60 * s, '150m'], [5 * 3600 * s, '5h'], [330 * 60 * s, '5h30m'], [20 * 3600 * s, '20h'], [50 * 3600 * s, '2d2h'], [9 * 86400 * s, '9d'], [800 * 86400 * s, '2y70d'], [3000 * 86400 * s, '8y'], [-5 * s, '0s']];
  for (const [ms, text] of cases) t.equal(shortDuration(ms), text, `${ms} ms`);
});

t.test('pod STATUS: terminating, init progress, waiting and terminated reasons, phase', async (t) => {
  const base: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } } as Pod;
  t.equal(podStatus(base), 'Pending');
  t.equal(podStatus({ ...base, metadata: { ...base.metadata, deletionTimestamp: 'x' } }), 'Terminating');
  t.equal(podStatus({ ...base, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'i', state: { running: {} } }] } }), 'Running');
  t.equal(podStatus({ ...base, status: { phase: 'Failed', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'i', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] } }), 'OOMKilled');
  t.equal(podStatus({ ...base, status: { phase: 'Failed', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'i', state: { terminated: { exitCode: 2 } } }] } }), 'ExitCode:2');
  t.equal(podStatus({ ...base, status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'i', state: { waiting: { reason: 'ErrImageNeverPull' } } }] } }), 'ErrImageNeverPull');
  t.equal(podStatus({ ...base, status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, image: 'i', state: { running: {} } }] } }), 'Init:0/1');
  t.equal(podStatus({ ...base, status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 1, image: 'i', state: { terminated: { exitCode: 1, reason: 'Error' } } }] } }), 'Init:Error');
});

t.test('tables pad every column but the last, three spaces apart', async (t) => {
  const table = new Table(['A', 'LONGER']);
  t.equal(table.render([['xyz', 'v'], ['q', '']]), 'A     LONGER\nxyz   v\nq\n');
});

t.test('rollout state of a deployment', async (t) => {
  const d = (status: Deployment['status'], generation = 2): Deployment => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', generation }, spec: { replicas: 2, selector: {}, template: { spec: { containers: [] } } }, status } as Deployment);
  t.same(rolloutState(d({ observedGeneration: 1 })), { message: 'Waiting for deployment spec update to be observed...', done: false, failed: false });
  t.equal(rolloutState(d({ observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 })).done, true);
  t.equal(rolloutState(d({ observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] })).failed, true);
  t.equal(rolloutState({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }).failed, true);
});

t.test('claim columns: status (Terminating while it goes), node, capacity, short access modes', async (t) => {
  const claim: PersistentVolumeClaim = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'data-db-0', annotations: { 'volume.kubernetes.io/selected-node': 'n2' } },
    spec: { accessModes: ['ReadWriteOnce'] },
    status: { phase: 'Bound', capacity: { storage: '1Gi' } },
  };
  const cells = (c: PersistentVolumeClaim) => columnsFor('PersistentVolumeClaim', false, false).map((col) => col.cell(c, new Date()));
  t.same(cells(claim).slice(0, 5), ['data-db-0', 'Bound', 'n2', '1Gi', 'RWO']);
  t.same(cells({ ...claim, metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z' }, status: {} }).slice(0, 5), ['x', 'Terminating', '<none>', '', 'RWO']);
});
