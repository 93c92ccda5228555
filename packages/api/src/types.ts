/**
 * Cluster objects in the Kubernetes shape. Field names and defaults follow
 * Kubernetes (v1, apps/v1, batch/v1) so its users feel at home; only the
 * subset Shoal supports is declared. Every field a manifest may set is
 * listed here, and validation refuses the others by name.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  /** Empty for cluster-scoped kinds (Namespace, Node). */
  namespace?: string;
  /** Chosen by the leader before proposing; never by apply. */
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The store revision of this object's last change, as a decimal string. */
  resourceVersion?: string;
  /** Grows by one on every spec change. */
  generation?: number;
  /** RFC 3339, set by the leader at create. */
  creationTimestamp?: string;
  /** RFC 3339, set when graceful deletion starts. */
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  generateName?: string;
}

export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

/** Any stored object. Kind-specific code narrows `spec` and `status`. */
export interface KubeObject<Spec = unknown, Status = unknown> extends TypeMeta {
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string;
  observedGeneration?: number;
}

// ---------------------------------------------------------------- selectors

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

// ---------------------------------------------------------------- pods

export type Quantity = string | number;
export type ResourceList = Record<string, Quantity>; // cpu, memory, pods

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface ObjectKeySelector { name: string; key: string; optional?: boolean }
export interface ObjectFieldSelector { fieldPath: string; apiVersion?: string }
export interface ResourceFieldSelector { resource: string; containerName?: string; divisor?: Quantity }

export interface EnvVarSource {
  configMapKeyRef?: ObjectKeySelector;
  secretKeyRef?: ObjectKeySelector;
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
}

export interface EnvVar { name: string; value?: string; valueFrom?: EnvVarSource }

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: 'TCP' | 'UDP';
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface ExecAction { command: string[] }
export interface HTTPHeader { name: string; value: string }
export interface HTTPGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: 'HTTP' | 'HTTPS';
  httpHeaders?: HTTPHeader[];
}
export interface TCPSocketAction { port: number | string; host?: string }

export interface Probe {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  initialDelaySeconds?: number;
  /** Default 1. */
  timeoutSeconds?: number;
  /** Default 10. */
  periodSeconds?: number;
  /** Default 1. */
  successThreshold?: number;
  /** Default 3. */
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** Pause in the hook (Kubernetes' sleep action), e.g. so endpoints drop a pod before it gets SIGTERM. */
export interface SleepAction { seconds: number }
export interface LifecycleHandler { exec?: ExecAction; httpGet?: HTTPGetAction; tcpSocket?: TCPSocketAction; sleep?: SleepAction }
export interface Lifecycle { postStart?: LifecycleHandler; preStop?: LifecycleHandler }

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  /** Default IfNotPresent (Always is treated as IfNotPresent: no registry). */
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Only on init containers: `Always` makes a native sidecar. */
  restartPolicy?: 'Always';
  terminationMessagePath?: string;
  stdin?: boolean;
  tty?: boolean;
}

export interface KeyToPath { key: string; path: string; mode?: number }

export interface Volume {
  name: string;
  emptyDir?: { medium?: '' | 'Memory'; sizeLimit?: Quantity };
  hostPath?: { path: string; type?: string };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  /** A named persistent volume (StatefulSet claims become these). */
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: '' | 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
}
export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  topologyKey: string;
}
export interface WeightedPodAffinityTerm { weight: number; podAffinityTerm: PodAffinityTerm }
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}
export interface Affinity { nodeAffinity?: NodeAffinity; podAffinity?: PodAffinity; podAntiAffinity?: PodAffinity }

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: LabelSelector;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  /** Default Always. */
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** Default 30. */
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  nodeSelector?: Record<string, string>;
  /** Set by the scheduler's binding. */
  nodeName?: string;
  affinity?: Affinity;
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  /** Default true. */
  enableServiceLinks?: boolean;
  dnsPolicy?: 'ClusterFirst' | 'Default' | 'None';
  priority?: number;
  schedulerName?: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface ContainerStateWaiting { reason?: string; message?: string }
export interface ContainerStateRunning { startedAt?: string }
export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}
export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  image: string;
  imageID?: string;
  containerID?: string;
}

export interface PodStatus {
  phase?: PodPhase;
  conditions?: Condition[];
  message?: string;
  reason?: string;
  hostIP?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  observedGeneration?: number;
}

export type Pod = KubeObject<PodSpec, PodStatus> & { kind: 'Pod' };

export interface PodTemplateSpec { metadata?: Partial<ObjectMeta>; spec: PodSpec }

// ---------------------------------------------------------------- nodes

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface NodeSpec {
  unschedulable?: boolean;
  taints?: Taint[];
  podCIDR?: string;
}

export interface NodeAddress { type: 'InternalIP' | 'Hostname' | 'ExternalIP'; address: string }

export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  conditions?: Condition[];
  addresses?: NodeAddress[];
  nodeInfo?: { kubeletVersion?: string; containerRuntimeVersion?: string; operatingSystem?: string; architecture?: string };
  /** Docker volumes that live on this node (for StatefulSet claims). */
  volumes?: string[];
}

export type Node = KubeObject<NodeSpec, NodeStatus> & { kind: 'Node' };

// ---------------------------------------------------------------- workloads

export interface RollingUpdateDeployment { maxUnavailable?: number | string; maxSurge?: number | string }
export interface DeploymentStrategy { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: RollingUpdateDeployment }

export interface DeploymentSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  minReadySeconds?: number;
  /** Default 10. */
  revisionHistoryLimit?: number;
  paused?: boolean;
  /** Default 600. */
  progressDeadlineSeconds?: number;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

export type Deployment = KubeObject<DeploymentSpec, DeploymentStatus> & { kind: 'Deployment' };

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export type ReplicaSet = KubeObject<ReplicaSetSpec, ReplicaSetStatus> & { kind: 'ReplicaSet' };

export interface PersistentVolumeClaimTemplate {
  metadata: Partial<ObjectMeta> & { name: string };
  spec?: { accessModes?: string[]; resources?: ResourceRequirements; storageClassName?: string };
}

export interface StatefulSetSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplateSpec;
  serviceName?: string;
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
  /** Default OrderedReady. */
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: 'Retain' | 'Delete'; whenScaled?: 'Retain' | 'Delete' };
  ordinals?: { start?: number };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: Condition[];
}

export type StatefulSet = KubeObject<StatefulSetSpec, StatefulSetStatus> & { kind: 'StatefulSet' };

export interface DaemonSetSpec {
  selector: LabelSelector;
  template: PodTemplateSpec;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export type DaemonSet = KubeObject<DaemonSetSpec, DaemonSetStatus> & { kind: 'DaemonSet' };

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  /** Default 6. */
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  selector?: LabelSelector;
  manualSelector?: boolean;
  template: PodTemplateSpec;
}

export interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  /** Indexed jobs: the completed indexes, as "1,3-5,7". */
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

export type Job = KubeObject<JobSpec, JobStatus> & { kind: 'Job' };

export interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  /** Default Allow. */
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  jobTemplate: { metadata?: Partial<ObjectMeta>; spec: JobSpec };
  /** Default 3. */
  successfulJobsHistoryLimit?: number;
  /** Default 1. */
  failedJobsHistoryLimit?: number;
}

export interface CronJobStatus {
  active?: { kind: string; name: string; namespace: string; uid: string }[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

export type CronJob = KubeObject<CronJobSpec, CronJobStatus> & { kind: 'CronJob' };

// ---------------------------------------------------------------- services

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP';
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  /** Default ClusterIP. */
  type?: 'ClusterIP' | 'NodePort';
  selector?: Record<string, string>;
  ports?: ServicePort[];
  /** Allocated by the leader; "None" makes a headless service. */
  clusterIP?: string;
  clusterIPs?: string[];
  sessionAffinity?: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  publishNotReadyAddresses?: boolean;
}

export interface ServiceStatus { loadBalancer?: Record<string, never>; conditions?: Condition[] }

export type Service = KubeObject<ServiceSpec, ServiceStatus> & { kind: 'Service' };

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; name: string; namespace?: string; uid?: string };
}
export interface EndpointPort { name?: string; port: number; protocol?: 'TCP' | 'UDP' }
export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Which node holds a claim's volume (Kubernetes' annotation for volumes bound at first use). */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** Keeps a claim while a pod uses it and until its node has removed the volume. */
export const CLAIM_PROTECTION_FINALIZER = 'shoal.io/pvc-protection';

export interface PersistentVolumeClaimSpec {
  /** Default [ReadWriteOnce]. A claim is one named Docker volume on one node. */
  accessModes?: string[];
  resources?: ResourceRequirements;
  storageClassName?: string;
  /** Default Filesystem (the only mode). */
  volumeMode?: 'Filesystem';
}

export interface PersistentVolumeClaimStatus {
  /** Pending until a pod using it is placed on a node; Bound from then on. */
  phase?: 'Pending' | 'Bound' | 'Lost';
  accessModes?: string[];
  capacity?: Record<string, string>;
}

export type PersistentVolumeClaim = KubeObject<PersistentVolumeClaimSpec, PersistentVolumeClaimStatus> & { kind: 'PersistentVolumeClaim' };

/** Endpoints have no spec: `subsets` sits at the top level, as in Kubernetes. */
export interface Endpoints extends KubeObject<never, never> {
  kind: 'Endpoints';
  subsets?: EndpointSubset[];
}

// ---------------------------------------------------------------- config

export interface ConfigMap extends KubeObject<never, never> {
  kind: 'ConfigMap';
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
  immutable?: boolean;
}

export interface Secret extends KubeObject<never, never> {
  kind: 'Secret';
  /** Base64-encoded values. */
  data?: Record<string, string>;
  /** Plain values, merged into `data` on write. */
  stringData?: Record<string, string>;
  type?: string;
  immutable?: boolean;
}

export interface Namespace extends KubeObject<{ finalizers?: string[] }, { phase?: 'Active' | 'Terminating' }> {
  kind: 'Namespace';
}

export interface Event extends KubeObject<never, never> {
  kind: 'Event';
  involvedObject: { kind: string; name: string; namespace?: string; uid?: string; apiVersion?: string; resourceVersion?: string; fieldPath?: string };
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** Every kind the store accepts, with its apiVersion and scope. */
export const KINDS = {
  Namespace: { apiVersion: 'v1', namespaced: false, plural: 'namespaces', short: ['ns'] },
  Node: { apiVersion: 'v1', namespaced: false, plural: 'nodes', short: ['no'] },
  Pod: { apiVersion: 'v1', namespaced: true, plural: 'pods', short: ['po'] },
  Service: { apiVersion: 'v1', namespaced: true, plural: 'services', short: ['svc'] },
  Endpoints: { apiVersion: 'v1', namespaced: true, plural: 'endpoints', short: ['ep'] },
  ConfigMap: { apiVersion: 'v1', namespaced: true, plural: 'configmaps', short: ['cm'] },
  Secret: { apiVersion: 'v1', namespaced: true, plural: 'secrets', short: [] },
  PersistentVolumeClaim: { apiVersion: 'v1', namespaced: true, plural: 'persistentvolumeclaims', short: ['pvc'] },
  Event: { apiVersion: 'v1', namespaced: true, plural: 'events', short: ['ev'] },
  ReplicaSet: { apiVersion: 'apps/v1', namespaced: true, plural: 'replicasets', short: ['rs'] },
  Deployment: { apiVersion: 'apps/v1', namespaced: true, plural: 'deployments', short: ['deploy'] },
  StatefulSet: { apiVersion: 'apps/v1', namespaced: true, plural: 'statefulsets', short: ['sts'] },
  DaemonSet: { apiVersion: 'apps/v1', namespaced: true, plural: 'daemonsets', short: ['ds'] },
  Job: { apiVersion: 'batch/v1', namespaced: true, plural: 'jobs', short: [] },
  CronJob: { apiVersion: 'batch/v1', namespaced: true, plural: 'cronjobs', short: ['cj'] },
} as const;

export type Kind = keyof typeof KINDS;
