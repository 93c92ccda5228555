import t from 'tap';
import { applyDefaults, type KubeObject } from '../src/index.js';
import { valid } from './fixtures.js';

const d = (kind: string): Record<string, any> => applyDefaults(valid()[kind] as KubeObject) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

t.test('pods and containers', async (t) => {
  const pod = d('Pod');
  t.equal(pod.spec.restartPolicy, 'Always');
  t.equal(pod.spec.terminationGracePeriodSeconds, 30);
  t.equal(pod.spec.dnsPolicy, 'ClusterFirst');
  t.equal(pod.spec.enableServiceLinks, true);
  t.equal(pod.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  t.equal(pod.spec.containers[0].ports[0].protocol, 'TCP');
  t.equal(pod.metadata.namespace, 'default');
  const withProbe = structuredClone(valid().Pod) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  withProbe.spec.containers[0].livenessProbe = { httpGet: { port: 80 } };
  withProbe.spec.containers[0].readinessProbe = { exec: { command: ['true'] }, periodSeconds: 5 };
  const p = applyDefaults(withProbe as KubeObject) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.same(p.spec.containers[0].livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  t.equal(p.spec.containers[0].readinessProbe.periodSeconds, 5, 'explicit values win');
  t.equal(withProbe.spec.containers[0].livenessProbe.timeoutSeconds, undefined, 'the input is not modified');
  const limited = structuredClone(valid().Pod) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  limited.spec.containers[0].resources = { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } };
  const l = applyDefaults(limited as KubeObject) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.same(l.spec.containers[0].resources.requests, { cpu: '100m', memory: '64Mi' }, 'requests default to limits, explicit requests kept');
});

t.test('workloads', async (t) => {
  const dep = d('Deployment');
  t.equal(dep.spec.replicas, 3, 'explicit replicas kept');
  t.same(dep.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  t.equal(dep.spec.revisionHistoryLimit, 10);
  t.equal(dep.spec.progressDeadlineSeconds, 600);
  t.equal(dep.spec.template.spec.restartPolicy, 'Always');
  const noReplicas = structuredClone(valid().Deployment) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  delete noReplicas.spec.replicas;
  noReplicas.spec.strategy = { type: 'Recreate' };
  const dr = applyDefaults(noReplicas as KubeObject) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.equal(dr.spec.replicas, 1);
  t.same(dr.spec.strategy, { type: 'Recreate' }, 'no rollingUpdate for Recreate');
  t.equal(d('ReplicaSet').spec.replicas, 2);
  const sts = d('StatefulSet');
  t.equal(sts.spec.replicas, 1);
  t.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  t.same(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  t.same(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  const ds = d('DaemonSet');
  t.same(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  const job = d('Job');
  t.equal(job.spec.backoffLimit, 6);
  t.equal(job.spec.completions, 1);
  t.equal(job.spec.parallelism, 1);
  t.equal(job.spec.completionMode, 'NonIndexed');
  t.equal(job.spec.template.spec.restartPolicy, 'Never', 'a Job keeps its chosen restart policy');
  const par = structuredClone(valid().Job) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  par.spec.parallelism = 3;
  const pj = applyDefaults(par as KubeObject) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.equal(pj.spec.completions, undefined, 'parallelism without completions: a work queue');
  const cj = d('CronJob');
  t.equal(cj.spec.concurrencyPolicy, 'Allow');
  t.equal(cj.spec.successfulJobsHistoryLimit, 3);
  t.equal(cj.spec.failedJobsHistoryLimit, 1);
  t.equal(cj.spec.jobTemplate.spec.backoffLimit, 6);
});

t.test('services, secrets, namespaces, cluster-scoped kinds', async (t) => {
  const svc = d('Service');
  t.equal(svc.spec.type, 'ClusterIP');
  t.equal(svc.spec.sessionAffinity, 'None');
  t.same(svc.spec.ports[0], { port: 80, targetPort: 8080, protocol: 'TCP' });
  const s2 = structuredClone(valid().Service) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  delete s2.spec.ports[0].targetPort;
  s2.spec.sessionAffinity = 'ClientIP';
  const ds2 = applyDefaults(s2 as KubeObject) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.equal(ds2.spec.ports[0].targetPort, 80, 'targetPort defaults to port');
  t.equal(ds2.spec.sessionAffinityConfig.clientIP.timeoutSeconds, 10800);
  t.equal(d('Secret').type, 'Opaque');
  const ns = d('Namespace');
  t.equal(ns.metadata.namespace, undefined, 'cluster-scoped kinds get no namespace');
  t.equal(ns.status.phase, 'Active');
  t.equal(d('Node').metadata.namespace, undefined);
  t.equal(d('ConfigMap').metadata.namespace, 'default');
});

t.test('nulls are dropped and unknown kinds pass through', async (t) => {
  const o = applyDefaults({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: null }, spec: { containers: [{ name: 'c', image: 'i', env: null }] } } as unknown as KubeObject) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  t.notOk('labels' in o.metadata);
  t.notOk('env' in o.spec.containers[0]);
  const w = applyDefaults({ apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'w' } });
  t.same(w, { apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'w' } });
});

t.test('applyDefaults leaves its input as it was: it works on a copy (the API precheck relies on it)', async (t) => {
  for (const kind of Object.keys(valid())) {
    const input = JSON.parse(JSON.stringify(valid()[kind])) as KubeObject;
    const before = JSON.stringify(input);
    const out = applyDefaults(input);
    t.equal(JSON.stringify(input), before, `${kind}: input unchanged`);
    t.not(out, input, `${kind}: a new object`);
  }
  // A frozen input is read, never written.
  const frozen = JSON.parse(JSON.stringify(valid().Pod)) as KubeObject;
  const freeze = (v: unknown): void => {
    if (typeof v === 'object' && v !== null) {
      Object.freeze(v);
      for (const x of Object.values(v)) freeze(x);
    }
  };
  freeze(frozen);
  t.doesNotThrow(() => applyDefaults(frozen), 'a deeply frozen pod defaults without a write to it');
});
