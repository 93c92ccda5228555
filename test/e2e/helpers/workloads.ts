/** Small manifests the end-to-end tests use: cheap busybox pods that stop fast on SIGTERM. */
import type { ConfigMap, Deployment } from '@shoal/api';

export function sleeperDeployment(name: string, replicas: number, opts: { version?: string; maxUnavailable?: number | string; maxSurge?: number | string } = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: opts.maxUnavailable ?? '25%', maxSurge: opts.maxSurge ?? '25%' } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'main',
              image: 'shoal/busybox:latest',
              imagePullPolicy: 'Never',
              command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
              env: [{ name: 'VERSION', value: opts.version ?? 'v1' }],
              resources: { requests: { cpu: '10m', memory: '8Mi' } },
            },
          ],
        },
      },
    },
  };
}

export function configMap(name: string, value: string): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { value } };
}
