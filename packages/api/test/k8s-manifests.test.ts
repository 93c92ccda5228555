/**
 * Manifests written the way Kubernetes users write them (every kind, common
 * fields) parse, default and validate unchanged.
 */
import t from 'tap';
import { applyDefaults, formatIssue, parseManifests, validate } from '../src/index.js';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: shop
  labels: {app.kubernetes.io/name: frontend}
  annotations:
    kubernetes.io/change-cause: "first rollout"
spec:
  replicas: 3
  selector:
    matchLabels: {app.kubernetes.io/name: frontend}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app.kubernetes.io/name: frontend, tier: web}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: web
        image: shoal/busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c"]
        args: ["httpd -f -p 8080"]
        ports:
        - {name: http, containerPort: 8080, protocol: TCP}
        env:
        - {name: MODE, value: production}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: db-auth, key: password}}
        envFrom:
        - configMapRef: {name: frontend-config}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: "1", memory: 128Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          initialDelaySeconds: 2
          periodSeconds: 5
        livenessProbe:
          tcpSocket: {port: 8080}
          failureThreshold: 5
        volumeMounts:
        - {name: config, mountPath: /etc/frontend, readOnly: true}
        - {name: cache, mountPath: /cache}
      volumes:
      - name: config
        configMap: {name: frontend-config, items: [{key: app.conf, path: app.conf}]}
      - name: cache
        emptyDir: {sizeLimit: 256Mi}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 50
            podAffinityTerm:
              labelSelector: {matchExpressions: [{key: tier, operator: In, values: [web]}]}
              topologyKey: kubernetes.io/hostname
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {tier: web}}}
---
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: shop}
spec:
  type: NodePort
  selector: {app.kubernetes.io/name: frontend}
  ports:
  - {name: http, port: 80, targetPort: http, protocol: TCP}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports:
  - {port: 5432}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: shoal/busybox:latest
        volumeMounts: [{name: data, mountPath: /var/lib/db}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: local
      resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: log-agent, namespace: kube-system}
spec:
  selector: {matchLabels: {name: log-agent}}
  template:
    metadata: {labels: {name: log-agent}}
    spec:
      tolerations:
      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
      containers:
      - name: agent
        image: shoal/busybox:latest
        resources: {limits: {memory: 200Mi}}
        volumeMounts: [{name: varlog, mountPath: /var/log}]
      volumes:
      - {name: varlog, hostPath: {path: /var/log}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: pi, namespace: shop}
spec:
  backoffLimit: 4
  template:
    spec:
      containers:
      - {name: pi, image: shoal/busybox:latest, command: [sh, -c, "echo 3.14159"]}
      restartPolicy: Never
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello, namespace: shop}
spec:
  schedule: "* * * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - {name: hello, image: shoal/busybox:latest, imagePullPolicy: IfNotPresent, command: [sh, -c, date]}
          restartPolicy: OnFailure
---
apiVersion: v1
kind: ConfigMap
metadata: {name: frontend-config, namespace: shop}
data:
  app.conf: |
    listen 8080
    cache /cache
  mode: production
---
apiVersion: v1
kind: Secret
metadata: {name: db-auth, namespace: shop}
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: t0p-Secret
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: shop
  creationTimestamp: null
spec:
  nodeSelector: {disktype: ssd}
  restartPolicy: OnFailure
  containers:
  - {name: shell, image: shoal/busybox:latest, stdin: true, tty: true}
status: {}
`;

t.test('typical Kubernetes manifests parse, default and validate', async (t) => {
  const objs = parseManifests(MANIFESTS, { source: 'shop.yaml' });
  t.same(objs.map((o) => o.kind), ['Namespace', 'Deployment', 'Service', 'Service', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ConfigMap', 'Secret', 'Pod']);
  for (const o of objs) {
    t.same(validate(o).map(formatIssue), [], `${o.kind}/${o.metadata.name} as written`);
    t.same(validate(applyDefaults(o)).map(formatIssue), [], `${o.kind}/${o.metadata.name} defaulted`);
  }
});

t.test('common mistakes are reported with their paths', async (t) => {
  const [bad] = parseManifests(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {version: 1}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: "80"}]
        resource: {limits: {cpu: 1}}
`);
  t.same(validate(bad).map(formatIssue), [
    'metadata.labels[version]: Invalid value: 1: must be a string',
    'spec.template.spec.containers[0].ports[0].containerPort: Invalid value: "80": must be an integer',
    'spec.template.spec.containers[0].resource: unknown field',
  ]);
});
