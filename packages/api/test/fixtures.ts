/** Valid objects of every kind, for tests to start from and break. */
import type { KubeObject } from '../src/index.js';

const podSpec = () => ({ containers: [{ name: 'web', image: 'shoal/busybox:latest', ports: [{ containerPort: 80 }] }] });
const template = (labels = { app: 'web' }) => ({ metadata: { labels }, spec: podSpec() });
const jobTemplate = () => ({ metadata: { labels: { job: 'x' } }, spec: { ...podSpec(), restartPolicy: 'Never' } });

export function valid(): Record<string, KubeObject & Record<string, unknown>> {
  return {
    Namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    Node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } },
    Pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } }, spec: podSpec() },
    ReplicaSet: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-rs' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template() } },
    Deployment: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template() } },
    StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } },
    DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } },
    Job: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' }, spec: { template: jobTemplate() } },
    CronJob: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate() } } } },
    Service: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    Endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.0.0.5' }], ports: [{ port: 8080 }] }] },
    PersistentVolumeClaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-db-0' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { 'app.conf': 'x=1' } },
    Secret: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw' }, data: { password: 'aHVudGVyMg==' }, stringData: { user: 'admin' } },
    Event: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-1.abc' }, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' }, reason: 'Scheduled', message: 'assigned to node-1', type: 'Normal' },
  };
}
