/**
 * The field schema of every kind, mirroring types.ts. A field not listed here
 * is refused by name; keep this file and types.ts in step.
 */
import {
  arr, bool, empty, fmt, int, intOrStr, map, nonNeg, obj, oneOf, port, positive, quantity, req, str,
  type FieldSchema,
} from './schema.js';

const PROTOCOL = oneOf(['TCP', 'UDP']);
const labels = map(fmt('labelValue'), { keyFormat: 'qualifiedName' });
const annotations = map(str(), { keyFormat: 'qualifiedName' });

const timestamp = fmt('rfc3339');

const ownerReference = obj({
  apiVersion: req(str()),
  kind: req(str()),
  name: req(str()),
  uid: req(str()),
  controller: bool(),
  blockOwnerDeletion: bool(),
});

const metaFields = {
  name: str(),
  namespace: fmt('dns1123Label'),
  uid: str(),
  labels,
  annotations,
  resourceVersion: str(),
  generation: nonNeg(),
  creationTimestamp: timestamp,
  deletionTimestamp: timestamp,
  deletionGracePeriodSeconds: nonNeg(),
  ownerReferences: arr(ownerReference),
  finalizers: arr(fmt('qualifiedName')),
  generateName: str(),
};
/** Object metadata (the name is checked per kind in rules.ts). */
export const objectMeta = obj(metaFields, { required: true });
/** Metadata inside templates: the same fields, none required. */
const templateMeta = obj(metaFields);

const condition = obj({
  type: req(str()),
  status: req(oneOf(['True', 'False', 'Unknown'])),
  reason: str(),
  message: str(),
  lastTransitionTime: timestamp,
  lastUpdateTime: timestamp,
  lastProbeTime: timestamp,
  observedGeneration: nonNeg(),
});
const conditions = arr(condition);

export const labelSelector = obj({
  matchLabels: labels,
  matchExpressions: arr(
    obj({ key: req(fmt('qualifiedName')), operator: req(oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist'])), values: arr(fmt('labelValue')) }),
  ),
});

const resourceList = map(quantity(), { keyFormat: 'qualifiedName' });
const resources = obj({ requests: resourceList, limits: resourceList });
const ACCESS_MODE = oneOf(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']);

const keySelector = obj({ name: req(str()), key: req(str()), optional: bool() });
const envVar = obj({
  name: req(fmt('envVarName')),
  value: str(),
  valueFrom: obj({
    configMapKeyRef: keySelector,
    secretKeyRef: keySelector,
    fieldRef: obj({ fieldPath: req(str()), apiVersion: str() }),
    resourceFieldRef: obj({ resource: req(str()), containerName: str(), divisor: quantity() }),
  }),
});
const envFrom = obj({
  prefix: str(),
  configMapRef: obj({ name: req(str()), optional: bool() }),
  secretRef: obj({ name: req(str()), optional: bool() }),
});
const containerPort = obj({
  name: fmt('portName'),
  containerPort: req(port()),
  hostPort: port(),
  hostIP: fmt('ipv4'),
  protocol: PROTOCOL,
});
const volumeMount = obj({ name: req(str()), mountPath: req(str()), readOnly: bool(), subPath: str() });

const exec = obj({ command: req(arr(str(), { minItems: 1 })) });
const httpGet = obj({
  path: str(),
  port: req(intOrStr({ min: 1, max: 65535 })),
  host: str(),
  scheme: oneOf(['HTTP', 'HTTPS']),
  httpHeaders: arr(obj({ name: req(str()), value: str() })),
});
const tcpSocket = obj({ port: req(intOrStr({ min: 1, max: 65535 })), host: str() });
const handlers = { exec, httpGet, tcpSocket };
export const probe = obj({
  ...handlers,
  initialDelaySeconds: nonNeg(),
  timeoutSeconds: positive(),
  periodSeconds: positive(),
  successThreshold: positive(),
  failureThreshold: positive(),
  terminationGracePeriodSeconds: positive(),
});
const hookHandlers = { ...handlers, sleep: obj({ seconds: req(nonNeg()) }) };
const lifecycle = obj({ postStart: obj(hookHandlers), preStop: obj(hookHandlers) });

const containerFields = {
  name: req(fmt('dns1123Label')),
  image: req(str()),
  command: arr(str()),
  args: arr(str()),
  workingDir: str(),
  ports: arr(containerPort),
  env: arr(envVar),
  envFrom: arr(envFrom),
  resources,
  volumeMounts: arr(volumeMount),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle,
  imagePullPolicy: oneOf(['Always', 'IfNotPresent', 'Never']),
  restartPolicy: oneOf(['Always']),
  terminationMessagePath: str(),
  stdin: bool(),
  tty: bool(),
};
const container = obj(containerFields);

const keyToPath = obj({ key: req(str()), path: req(str()), mode: int({ min: 0, max: 0o777 }) });
const volume = obj({
  name: req(fmt('dns1123Label')),
  emptyDir: obj({ medium: oneOf(['', 'Memory']), sizeLimit: quantity() }),
  hostPath: obj({ path: req(fmt('absolutePath')), type: str() }),
  configMap: obj({ name: req(str()), items: arr(keyToPath), optional: bool(), defaultMode: int({ min: 0, max: 0o777 }) }),
  secret: obj({ secretName: req(str()), items: arr(keyToPath), optional: bool(), defaultMode: int({ min: 0, max: 0o777 }) }),
  persistentVolumeClaim: obj({ claimName: req(str()), readOnly: bool() }),
});

const toleration = obj({
  key: str(),
  operator: oneOf(['Exists', 'Equal']),
  value: str(),
  effect: oneOf(['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  tolerationSeconds: int(),
});
const nodeSelectorRequirement = obj({
  key: req(str()),
  operator: req(oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'])),
  values: arr(str()),
});
const nodeSelectorTerm = obj({ matchExpressions: arr(nodeSelectorRequirement), matchFields: arr(nodeSelectorRequirement) });
const podAffinityTerm = obj({ labelSelector, namespaces: arr(str()), topologyKey: req(str()) });
const weighted = obj({ weight: req(int({ min: 1, max: 100 })), podAffinityTerm: req(podAffinityTerm) });
const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: arr(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: arr(weighted),
});
const affinity = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: req(arr(nodeSelectorTerm, { minItems: 1 })) }),
    preferredDuringSchedulingIgnoredDuringExecution: arr(obj({ weight: req(int({ min: 1, max: 100 })), preference: req(nodeSelectorTerm) })),
  }),
  podAffinity,
  podAntiAffinity: podAffinity,
});
const topologySpread = obj({
  maxSkew: req(positive()),
  topologyKey: req(str()),
  whenUnsatisfiable: req(oneOf(['DoNotSchedule', 'ScheduleAnyway'])),
  labelSelector,
});

export const podSpec = obj({
  containers: req(arr(container, { minItems: 1 })),
  initContainers: arr(container),
  volumes: arr(volume),
  restartPolicy: oneOf(['Always', 'OnFailure', 'Never']),
  terminationGracePeriodSeconds: nonNeg(),
  activeDeadlineSeconds: positive(),
  nodeSelector: labels,
  nodeName: str(),
  affinity,
  tolerations: arr(toleration),
  topologySpreadConstraints: arr(topologySpread),
  hostname: fmt('dns1123Label'),
  subdomain: fmt('dns1123Label'),
  hostNetwork: bool(),
  enableServiceLinks: bool(),
  dnsPolicy: oneOf(['ClusterFirst', 'Default', 'None']),
  priority: int(),
  schedulerName: str(),
}, { required: true });

const containerState = obj({
  waiting: obj({ reason: str(), message: str() }),
  running: obj({ startedAt: timestamp }),
  terminated: obj({
    exitCode: req(int()),
    signal: int(),
    reason: str(),
    message: str(),
    startedAt: timestamp,
    finishedAt: timestamp,
    containerID: str(),
  }),
});
const containerStatus = obj({
  name: req(str()),
  state: req(containerState),
  lastState: containerState,
  ready: req(bool()),
  started: bool(),
  restartCount: req(nonNeg()),
  image: str(),
  imageID: str(),
  containerID: str(),
});
const podStatus = obj({
  phase: oneOf(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']),
  conditions,
  message: str(),
  reason: str(),
  hostIP: str(),
  podIP: str(),
  podIPs: arr(obj({ ip: req(str()) })),
  startTime: timestamp,
  initContainerStatuses: arr(containerStatus),
  containerStatuses: arr(containerStatus),
  observedGeneration: nonNeg(),
});

const podTemplate = obj({ metadata: templateMeta, spec: podSpec }, { required: true });
const rollingMax = intOrStr({ min: 0, percent: true });

const deploymentSpec = obj({
  replicas: nonNeg(),
  selector: req(labelSelector),
  template: podTemplate,
  strategy: obj({ type: oneOf(['RollingUpdate', 'Recreate']), rollingUpdate: obj({ maxUnavailable: rollingMax, maxSurge: rollingMax }) }),
  minReadySeconds: nonNeg(),
  revisionHistoryLimit: nonNeg(),
  paused: bool(),
  progressDeadlineSeconds: positive(),
}, { required: true });
const deploymentStatus = obj({
  observedGeneration: nonNeg(),
  replicas: nonNeg(),
  updatedReplicas: nonNeg(),
  readyReplicas: nonNeg(),
  availableReplicas: nonNeg(),
  unavailableReplicas: nonNeg(),
  conditions,
  collisionCount: nonNeg(),
});

const replicaSetSpec = obj({ replicas: nonNeg(), minReadySeconds: nonNeg(), selector: req(labelSelector), template: podTemplate }, { required: true });
const replicaSetStatus = obj({
  replicas: req(nonNeg()),
  fullyLabeledReplicas: nonNeg(),
  readyReplicas: nonNeg(),
  availableReplicas: nonNeg(),
  observedGeneration: nonNeg(),
  conditions,
});

const statefulSetSpec = obj({
  replicas: nonNeg(),
  selector: req(labelSelector),
  template: podTemplate,
  serviceName: str(),
  volumeClaimTemplates: arr(obj({
    metadata: req(obj({ ...metaFields, name: req(fmt('dns1123Subdomain')) })),
    spec: obj({ accessModes: arr(ACCESS_MODE), resources, storageClassName: str(), volumeMode: oneOf(['Filesystem']) }),
  })),
  podManagementPolicy: oneOf(['OrderedReady', 'Parallel']),
  updateStrategy: obj({
    type: oneOf(['RollingUpdate', 'OnDelete']),
    rollingUpdate: obj({ partition: nonNeg(), maxUnavailable: intOrStr({ min: 1, percent: true }) }),
  }),
  revisionHistoryLimit: nonNeg(),
  minReadySeconds: nonNeg(),
  persistentVolumeClaimRetentionPolicy: obj({ whenDeleted: oneOf(['Retain', 'Delete']), whenScaled: oneOf(['Retain', 'Delete']) }),
  ordinals: obj({ start: nonNeg() }),
}, { required: true });
const statefulSetStatus = obj({
  observedGeneration: nonNeg(),
  replicas: req(nonNeg()),
  readyReplicas: nonNeg(),
  currentReplicas: nonNeg(),
  updatedReplicas: nonNeg(),
  availableReplicas: nonNeg(),
  currentRevision: str(),
  updateRevision: str(),
  collisionCount: nonNeg(),
  conditions,
});

const daemonSetSpec = obj({
  selector: req(labelSelector),
  template: podTemplate,
  updateStrategy: obj({ type: oneOf(['RollingUpdate', 'OnDelete']), rollingUpdate: obj({ maxUnavailable: rollingMax, maxSurge: rollingMax }) }),
  minReadySeconds: nonNeg(),
  revisionHistoryLimit: nonNeg(),
}, { required: true });
const daemonSetStatus = obj({
  currentNumberScheduled: req(nonNeg()),
  numberMisscheduled: req(nonNeg()),
  desiredNumberScheduled: req(nonNeg()),
  numberReady: req(nonNeg()),
  updatedNumberScheduled: nonNeg(),
  numberAvailable: nonNeg(),
  numberUnavailable: nonNeg(),
  observedGeneration: nonNeg(),
  conditions,
});

const jobSpecFields = {
  parallelism: nonNeg(),
  completions: nonNeg(),
  backoffLimit: nonNeg(),
  activeDeadlineSeconds: positive(),
  ttlSecondsAfterFinished: nonNeg(),
  completionMode: oneOf(['NonIndexed', 'Indexed']),
  suspend: bool(),
  selector: labelSelector,
  manualSelector: bool(),
  template: podTemplate,
};
const jobSpec = obj(jobSpecFields, { required: true });
const jobStatus = obj({
  conditions,
  startTime: timestamp,
  completionTime: timestamp,
  active: nonNeg(),
  succeeded: nonNeg(),
  failed: nonNeg(),
  ready: nonNeg(),
  completedIndexes: str(),
  failedIndexes: str(),
  uncountedTerminatedPods: obj({ succeeded: arr(str()), failed: arr(str()) }),
});

const cronJobSpec = obj({
  schedule: req(fmt('cron')),
  timeZone: str(),
  startingDeadlineSeconds: nonNeg(),
  concurrencyPolicy: oneOf(['Allow', 'Forbid', 'Replace']),
  suspend: bool(),
  jobTemplate: req(obj({ metadata: templateMeta, spec: jobSpec })),
  successfulJobsHistoryLimit: nonNeg(),
  failedJobsHistoryLimit: nonNeg(),
}, { required: true });
const cronJobStatus = obj({
  active: arr(obj({ kind: req(str()), name: req(str()), namespace: req(str()), uid: req(str()) })),
  lastScheduleTime: timestamp,
  lastSuccessfulTime: timestamp,
});

const serviceSpec = obj({
  type: oneOf(['ClusterIP', 'NodePort']),
  selector: labels,
  ports: arr(obj({
    name: fmt('dns1123Label'),
    protocol: PROTOCOL,
    port: req(port()),
    targetPort: intOrStr({ min: 1, max: 65535 }),
    nodePort: port(),
  })),
  clusterIP: str(),
  clusterIPs: arr(str()),
  sessionAffinity: oneOf(['None', 'ClientIP']),
  sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int({ min: 1, max: 86400 }) }) }),
  publishNotReadyAddresses: bool(),
});
const serviceStatus = obj({ loadBalancer: empty(), conditions });

const endpointAddress = obj({
  ip: req(fmt('ipv4')),
  hostname: fmt('dns1123Label'),
  nodeName: str(),
  targetRef: obj({ kind: req(str()), name: req(str()), namespace: str(), uid: str() }),
});

const nodeSpec = obj({
  unschedulable: bool(),
  taints: arr(obj({ key: req(fmt('qualifiedName')), value: fmt('labelValue'), effect: req(oneOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])), timeAdded: timestamp })),
  podCIDR: str(),
});
const nodeStatus = obj({
  capacity: resourceList,
  allocatable: resourceList,
  conditions,
  addresses: arr(obj({ type: req(oneOf(['InternalIP', 'Hostname', 'ExternalIP'])), address: req(str()) })),
  nodeInfo: obj({ kubeletVersion: str(), containerRuntimeVersion: str(), operatingSystem: str(), architecture: str() }),
  volumes: arr(str()),
});

const persistentVolumeClaimSpec = obj({
  accessModes: arr(ACCESS_MODE),
  resources,
  storageClassName: str(),
  volumeMode: oneOf(['Filesystem']),
}, { required: true });
const persistentVolumeClaimStatus = obj({
  phase: oneOf(['Pending', 'Bound', 'Lost']),
  accessModes: arr(ACCESS_MODE),
  capacity: resourceList,
});

/** Fields every kind has at the top level. */
const top = (fields: Record<string, FieldSchema>): Record<string, FieldSchema> => ({
  // apiVersion and kind are checked by validate() before the walk.
  apiVersion: str(),
  kind: str(),
  metadata: objectMeta,
  ...fields,
});

/** The top-level schema of each kind. */
export const KIND_SCHEMAS: Readonly<Record<string, Readonly<Record<string, FieldSchema>>>> = {
  Namespace: top({ spec: obj({ finalizers: arr(str()) }), status: obj({ phase: oneOf(['Active', 'Terminating']) }) }),
  Node: top({ spec: nodeSpec, status: nodeStatus }),
  Pod: top({ spec: podSpec, status: podStatus }),
  ReplicaSet: top({ spec: replicaSetSpec, status: replicaSetStatus }),
  Deployment: top({ spec: deploymentSpec, status: deploymentStatus }),
  StatefulSet: top({ spec: statefulSetSpec, status: statefulSetStatus }),
  DaemonSet: top({ spec: daemonSetSpec, status: daemonSetStatus }),
  Job: top({ spec: jobSpec, status: jobStatus }),
  CronJob: top({ spec: cronJobSpec, status: cronJobStatus }),
  Service: top({ spec: serviceSpec, status: serviceStatus }),
  Endpoints: top({
    subsets: arr(obj({ addresses: arr(endpointAddress), notReadyAddresses: arr(endpointAddress), ports: arr(obj({ name: str(), port: req(port()), protocol: PROTOCOL })) })),
  }),
  PersistentVolumeClaim: top({ spec: persistentVolumeClaimSpec, status: persistentVolumeClaimStatus }),
  ConfigMap: top({ data: map(str(), { keyFormat: 'configMapKey' }), binaryData: map(fmt('base64'), { keyFormat: 'configMapKey' }), immutable: bool() }),
  Secret: top({
    data: map(fmt('base64'), { keyFormat: 'configMapKey' }),
    stringData: map(str(), { keyFormat: 'configMapKey' }),
    type: str(),
    immutable: bool(),
  }),
  Event: top({
    involvedObject: req(obj({
      kind: req(str()),
      name: req(str()),
      namespace: str(),
      uid: str(),
      apiVersion: str(),
      resourceVersion: str(),
      fieldPath: str(),
    })),
    reason: req(str()),
    message: str(),
    type: req(oneOf(['Normal', 'Warning'])),
    source: obj({ component: str(), host: str() }),
    firstTimestamp: timestamp,
    lastTimestamp: timestamp,
    count: positive(),
    reportingComponent: str(),
    reportingInstance: str(),
  }),
};


