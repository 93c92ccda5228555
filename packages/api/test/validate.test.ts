import t from 'tap';
import { KINDS, ValidationError, applyDefaults, assertValid, formatIssue, validate, type KubeObject } from '../src/index.js';
import { valid } from './fixtures.js';
import { thrown } from './helpers.js';

const messages = (o: unknown): string[] => validate(o).map(formatIssue);
/** Deep-copies a fixture and lets the test break it. */
function broken(kind: string, edit: (o: Record<string, any>) => void): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any
  const o = structuredClone(valid()[kind]) as Record<string, unknown>;
  edit(o);
  return o;
}

t.test('every fixture kind is valid, before and after defaults', async (t) => {
  const all = valid();
  t.same(Object.keys(all).sort(), Object.keys(KINDS).sort(), 'a fixture per kind');
  for (const [kind, o] of Object.entries(all)) {
    t.same(messages(o), [], kind);
    t.same(messages(applyDefaults(o)), [], `${kind} defaulted`);
  }
});

t.test('unknown kinds and apiVersions are refused', async (t) => {
  t.matchOnly(messages({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'x' } }), [/^kind: Unsupported value: "Widget"/]);
  t.matchOnly(messages({ apiVersion: 'v1', kind: 'Deployment', metadata: { name: 'x' }, spec: {} })[0], /^apiVersion: Unsupported value: "v1": supported values: "apps\/v1"/);
  t.matchOnly(messages({ metadata: { name: 'x' } }), ['kind: Required value']);
  t.matchOnly(messages(null), [/must be a map/]);
  t.matchOnly(messages([]), [/must be a map/]);
  t.matchOnly(messages({ kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'b' }] } }), ['apiVersion: Required value']);
});

t.test('unknown fields are refused by name at every level', async (t) => {
  t.matchOnly(messages(broken('Pod', (o) => { o.spex = {}; })), ['spex: unknown field']);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.labelz = {}; })), ['metadata.labelz: unknown field']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].imagee = 'x'; })), ['spec.containers[0].imagee: unknown field']);
  t.matchOnly(messages(broken('Deployment', (o) => { const p = o.spec.template.spec.containers[0].ports[0]; p.containerport = p.containerPort; delete p.containerPort; })), [
    'spec.template.spec.containers[0].ports[0].containerport: unknown field',
    'spec.template.spec.containers[0].ports[0].containerPort: Required value',
  ]);
  t.matchOnly(messages(broken('CronJob', (o) => { o.spec.jobTemplate.spec.template.spec.foo = 1; })), ['spec.jobTemplate.spec.template.spec.foo: unknown field']);
  t.matchOnly(messages(broken('Service', (o) => { o.status = { loadBalancer: { ingress: [] } }; })), ['status.loadBalancer.ingress: unknown field']);
  t.matchOnly(messages(broken('ConfigMap', (o) => { o.spec = {}; })), ['spec: unknown field']);
});

t.test('required fields name their path', async (t) => {
  t.matchOnly(messages(broken('Deployment', (o) => { delete o.spec.template.spec.containers[0].image; })), ['spec.template.spec.containers[0].image: Required value']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers = []; })), ['spec.containers: Required value']);
  t.matchOnly(messages(broken('Pod', (o) => { delete o.spec; })), ['spec: Required value']);
  t.matchOnly(messages(broken('Pod', (o) => { delete o.metadata.name; })), ['metadata.name: Required value']);
  t.same(messages(broken('Pod', (o) => { delete o.metadata.name; o.metadata.generateName = 'web-'; })), [], 'generateName stands in for name');
  t.matchOnly(messages(broken('Pod', (o) => { delete o.metadata; })), ['metadata: Required value']);
  t.matchOnly(messages(broken('Deployment', (o) => { delete o.spec.selector; })), ['spec.selector: Required value']);
  t.matchOnly(messages(broken('CronJob', (o) => { delete o.spec.schedule; })), ['spec.schedule: Required value']);
  t.matchOnly(messages(broken('Event', (o) => { delete o.involvedObject; })), ['involvedObject: Required value']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].image = ''; })), ['spec.containers[0].image: Required value']);
});

t.test('names, labels and annotations', async (t) => {
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.name = 'Web_1'; })), [/^metadata\.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain/]);
  t.matchOnly(messages(broken('Service', (o) => { o.metadata.name = 'web.v1'; })), [/^metadata\.name: Invalid value: "web\.v1": a lowercase RFC 1123 label/]);
  t.matchOnly(messages(broken('Namespace', (o) => { o.metadata.name = 'x'.repeat(64); })), [/^metadata\.name: Invalid value: .*no more than 63/]);
  t.same(messages(broken('Pod', (o) => { o.metadata.name = 'a.b-c.d'; })), []);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.name = 'a'.repeat(254); })), [/no more than 253/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.generateName = 'Bad-'; delete o.metadata.name; })), [/^metadata\.generateName: Invalid value: "Bad-"/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.namespace = 'Bad'; })), [/^metadata\.namespace: Invalid value: "Bad"/]);
  t.matchOnly(messages(broken('Node', (o) => { o.metadata.namespace = 'default'; })), [/^metadata\.namespace: Forbidden: not allowed on cluster-scoped kind Node/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.labels = { 'bad key!': 'v' }; })), [/^metadata\.labels: Invalid value: "bad key!": name part/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.labels = { app: 'bad value' }; })), [/^metadata\.labels\[app\]: Invalid value: "bad value"/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.labels = { app: 'x'.repeat(64) }; })), [/^metadata\.labels\[app\]: Invalid value: .*no more than 63/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.labels = { 'Example.com/app': 'v' }; })), [/prefix part/]);
  t.same(messages(broken('Pod', (o) => { o.metadata.labels = { 'example.com/app': '', 'a_b.c-d': 'X_y.z' }; })), []);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.annotations = { big: 'x'.repeat(300 * 1024) }; })), ['metadata.annotations: Too long: must have at most 262144 bytes']);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.annotations = { a: 1 }; })), [/^metadata\.annotations\[a\]: Invalid value: 1: must be a string/]);
  t.matchOnly(messages(broken('Pod', (o) => {
    o.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
      { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
    ];
  })), [/^metadata\.ownerReferences: Invalid value: .*only one reference/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.ownerReferences = [{ kind: 'A', name: 'a', uid: '1' }]; })), ['metadata.ownerReferences[0].apiVersion: Required value']);
  t.matchOnly(messages(broken('Pod', (o) => { o.metadata.creationTimestamp = 'yesterday'; })), [/^metadata\.creationTimestamp: Invalid value: "yesterday": must be an RFC 3339/]);
});

t.test('ranges and enums', async (t) => {
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.replicas = -1; })), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.replicas = 1.5; })), ['spec.replicas: Invalid value: 1.5: must be an integer']);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.replicas = '3'; })), ['spec.replicas: Invalid value: "3": must be an integer']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].ports[0].containerPort = 0; })), ['spec.containers[0].ports[0].containerPort: Invalid value: 0: must be greater than or equal to 1']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].ports[0].containerPort = 70000; })), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be less than or equal to 65535']);
  t.matchOnly(messages(broken('Service', (o) => { o.spec.ports[0].port = 65536; })), [/^spec\.ports\[0\]\.port: Invalid value: 65536/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].readinessProbe = { exec: { command: ['true'] }, failureThreshold: 0 }; })), ['spec.containers[0].readinessProbe.failureThreshold: Invalid value: 0: must be greater than or equal to 1']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: -1 } } }; })), ['spec.containers[0].lifecycle.preStop.sleep.seconds: Invalid value: -1: must be greater than or equal to 0']);
  t.same(messages(broken('Pod', (o) => { o.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: 2 } } }; })), [], 'a preStop sleep is accepted');
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].readinessProbe = { sleep: { seconds: 1 } }; })), [/readinessProbe\.sleep: .*unknown field/, /readinessProbe\.exec: Required/], 'probes have no sleep');
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.restartPolicy = 'Sometimes'; })), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].ports[0].protocol = 'SCTP'; })), [/^spec\.containers\[0\]\.ports\[0\]\.protocol: Unsupported value: "SCTP"/]);
  t.matchOnly(messages(broken('Service', (o) => { o.spec.type = 'LoadBalancer'; })), [/^spec\.type: Unsupported value: "LoadBalancer"/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].resources = { requests: { cpu: 'lots' } }; })), [/^spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value: "lots": must be a quantity/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].resources = { requests: { 'bad resource!': '1' } }; })), [/^spec\.containers\[0\]\.resources\.requests: Invalid value: "bad resource!"/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].resources = { requests: { cpu: '-1' } }; })), [/requests\[cpu\]: Invalid value: "-1": must be greater than or equal to 0/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }; })), [/requests\[cpu\]: Invalid value: "2": must be less than or equal to cpu limit of 1/]);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.strategy = { rollingUpdate: { maxSurge: '150%' } }; })), [/maxSurge: Invalid value: "150%": must not be greater than 100%/]);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.strategy = { rollingUpdate: { maxSurge: 'lots' } }; })), [/maxSurge: Invalid value: "lots": must be an integer or a percentage/]);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.strategy = { rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }; })), [/maxUnavailable: .*may not be 0/]);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.strategy = { type: 'Recreate', rollingUpdate: {} }; })), [/^spec\.strategy\.rollingUpdate: Forbidden/]);
  t.matchOnly(messages(broken('CronJob', (o) => { o.spec.schedule = 'every minute'; })), [/^spec\.schedule: Invalid value: "every minute": must be a cron schedule/]);
  t.same(messages(broken('CronJob', (o) => { o.spec.schedule = '@hourly'; })), []);
  t.matchOnly(messages(broken('Secret', (o) => { o.data.password = 'not base64!'; })), [/^data\[password\]: Invalid value: "not base64!": must be base64-encoded/]);
  t.matchOnly(messages(broken('ConfigMap', (o) => { o.data = { 'bad/key': 'x' }; })), [/^data: Invalid value: "bad\/key": a valid config key/]);
  t.matchOnly(messages(broken('Endpoints', (o) => { o.subsets[0].addresses[0].ip = '10.0.0.256'; })), [/^subsets\[0\]\.addresses\[0\]\.ip: Invalid value: "10\.0\.0\.256": must be a valid IPv4 address/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].env = [{ name: '1BAD', value: 'x' }]; })), [/^spec\.containers\[0\]\.env\[0\]\.name: Invalid value: "1BAD"/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.hostNetwork = 'yes'; })), ['spec.hostNetwork: Invalid value: "yes": must be a boolean']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers = {}; })), ['spec.containers: Invalid value: {}: must be a list']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec = 'x'; })), ['spec: Invalid value: "x": must be an object']);
});

t.test('cross-field rules', async (t) => {
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers.push({ name: 'web', image: 'x' }); })), ['spec.containers[1].name: Duplicate value: "web"']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.initContainers = [{ name: 'web', image: 'x' }]; })), ['spec.containers[0].name: Duplicate value: "web"']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/d' }]; })), ['spec.containers[0].volumeMounts[0].name: Invalid value: "data": not found in spec.volumes']);
  t.same(messages(broken('Pod', (o) => { o.spec.volumes = [{ name: 'data', emptyDir: {} }]; o.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/d' }]; })), []);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.volumes = [{ name: 'data' }]; })), ['spec.volumes[0]: Required value']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.volumes = [{ name: 'data', emptyDir: {}, hostPath: { path: '/x' } }]; })), [/^spec\.volumes\[0\]\.hostPath: Forbidden/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].livenessProbe = {}; })), ['spec.containers[0].livenessProbe.exec: Required value']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].livenessProbe = { exec: { command: ['a'] }, tcpSocket: { port: 80 } }; })), [/livenessProbe\.tcpSocket: Forbidden: may not specify more than 1 handler/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].livenessProbe = { exec: { command: ['a'] }, successThreshold: 2 }; })), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].restartPolicy = 'Always'; })), [/^spec\.containers\[0\]\.restartPolicy: Forbidden/]);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.selector = { matchLabels: { app: 'other' } }; })), [/^spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/]);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.selector = {}; })), [/^spec\.selector: Invalid value: \{\}: empty selector/]);
  t.matchOnly(messages(broken('Deployment', (o) => { o.spec.template.spec.restartPolicy = 'Never'; })), [/^spec\.template\.spec\.restartPolicy: Unsupported value: "Never": supported values: "Always"/]);
  t.matchOnly(messages(broken('Job', (o) => { delete o.spec.template.spec.restartPolicy; })), ['spec.template.spec.restartPolicy: Required value']);
  t.matchOnly(messages(broken('Job', (o) => { o.spec.template.spec.restartPolicy = 'Always'; })), [/^spec\.template\.spec\.restartPolicy: Unsupported value: "Always"/]);
  t.matchOnly(messages(applyDefaults(broken('Job', (o) => { delete o.spec.template.spec.restartPolicy; }) as KubeObject)), ['spec.template.spec.restartPolicy: Required value'], 'defaults do not pick a Job restart policy');
  t.matchOnly(messages(broken('Job', (o) => { o.spec.completionMode = 'Indexed'; })), ['spec.completions: Required value']);
  t.matchOnly(messages(broken('Service', (o) => { o.spec.ports.push({ port: 81 }); })), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  t.matchOnly(messages(broken('Service', (o) => { o.spec.ports = [{ name: 'a', port: 80 }, { name: 'a', port: 81 }]; })), ['spec.ports[1].name: Duplicate value: "a"']);
  t.matchOnly(messages(broken('Service', (o) => { o.spec.ports = []; })), ['spec.ports: Required value']);
  t.same(messages(broken('Service', (o) => { o.spec.ports = []; o.spec.clusterIP = 'None'; })), [], 'headless services need no ports');
  t.matchOnly(messages(broken('Service', (o) => { o.spec.clusterIP = '10.0.0'; })), [/^spec\.clusterIP: Invalid value: "10\.0\.0"/]);
  t.matchOnly(messages(broken('Service', (o) => { o.spec.ports[0].nodePort = 30001; })), [/^spec\.ports\[0\]\.nodePort: Forbidden/]);
  t.same(messages(broken('Service', (o) => { o.spec.type = 'NodePort'; o.spec.ports[0].nodePort = 30001; })), []);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].env = [{ name: 'A', valueFrom: {} }]; })), [/env\[0\]\.valueFrom: .*exactly one/]);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.tolerations = [{ operator: 'Exists', value: 'x', key: 'k' }]; })), [/tolerations\[0\]\.value/]);
});

t.test('the size limit', async (t) => {
  const big = broken('ConfigMap', (o) => { o.data = { blob: 'x'.repeat(1024 * 1024) }; });
  t.matchOnly(messages(big), ['(object): Too long: must have at most 1048576 bytes']);
  t.same(validate(big, { maxObjectBytes: 2 * 1024 * 1024 }), []);
  t.matchOnly(validate(valid().Pod, { maxObjectBytes: 100 }).map(formatIssue), ['(object): Too long: must have at most 100 bytes']);
});

t.test('assertValid throws ValidationError carrying every issue', async (t) => {
  const bad = broken('Deployment', (o) => { delete o.spec.template.spec.containers[0].image; o.spec.replicas = -2; o.spec.bogus = 1; });
  const e = thrown(() => assertValid(bad));
  t.ok(e instanceof ValidationError);
  const err = e as ValidationError;
  t.equal(err.name, 'ValidationError');
  t.equal(err.issues.length, 3);
  t.match(err.message, /^Deployment "web" is invalid: /);
  t.match(err.message, /spec\.bogus: unknown field/);
  t.match(err.message, /spec\.replicas: Invalid value: -2/);
  t.match(err.message, /spec\.template\.spec\.containers\[0\]\.image: Required value/);
  t.same(err.issues.map((i) => i.type).sort(), ['Invalid', 'Required', 'Unknown']);
  t.equal(assertValid(valid().Pod).kind, 'Pod');
});

t.test('null fields count as absent', async (t) => {
  t.same(messages(broken('Pod', (o) => { o.spec.nodeSelector = null; o.status = null; })), []);
  t.matchOnly(messages(broken('Pod', (o) => { o.spec.containers[0].image = null; })), ['spec.containers[0].image: Required value']);
});

t.test('every kind refuses unknown fields at the top, in metadata and in its body', async (t) => {
  for (const [kind, o] of Object.entries(valid())) {
    const top = structuredClone(o) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    top.extra = 1;
    top.metadata.extraMeta = 1;
    const expected = ['extra: unknown field', 'metadata.extraMeta: unknown field'];
    if (top.spec) {
      top.spec.extraSpec = 1;
      expected.push('spec.extraSpec: unknown field');
    }
    t.same(messages(top).sort(), expected.sort(), kind);
  }
});

t.test('every namespaced kind checks its name syntax', async (t) => {
  for (const [kind, o] of Object.entries(valid())) {
    const bad = structuredClone(o) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    bad.metadata.name = 'Not-Valid';
    t.match(messages(bad), [/^metadata\.name: Invalid value: "Not-Valid": a lowercase RFC 1123/], kind);
  }
});

t.test('PersistentVolumeClaim fields', async (t) => {
  t.matchOnly(messages(broken('PersistentVolumeClaim', (o) => { o.spec.accessModes = ['ReadWriteSometimes']; })), [/^spec\.accessModes\[0\]: Unsupported value: "ReadWriteSometimes"/]);
  t.matchOnly(messages(broken('PersistentVolumeClaim', (o) => { o.spec.resources.requests.storage = 'big'; })), [/^spec\.resources\.requests\[storage\]: Invalid value: "big": must be a quantity/]);
  t.matchOnly(messages(broken('PersistentVolumeClaim', (o) => { o.spec.volumeMode = 'Block'; })), [/^spec\.volumeMode: Unsupported value: "Block"/]);
  t.matchOnly(messages(broken('PersistentVolumeClaim', (o) => { o.spec.size = '1Gi'; })), [/^spec\.size: .*unknown field/i]);
  t.matchOnly(messages(broken('PersistentVolumeClaim', (o) => { delete o.spec; })), [/^spec: Required value/]);
  const d = applyDefaults(valid().PersistentVolumeClaim as KubeObject) as KubeObject<{ accessModes?: string[]; volumeMode?: string }>;
  t.same([d.spec?.accessModes, d.spec?.volumeMode], [['ReadWriteOnce'], 'Filesystem'], 'defaults');
});

t.test('a "__proto__" key is refused wherever it is, through defaults too', async (t) => {
  const cases: [string, string][] = [
    ['{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"__proto__":{"hostNetwork":true},"containers":[{"name":"c","image":"i"}]}}', 'spec.__proto__'],
    ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"__proto__":"x"}}', 'data.__proto__'],
    ['{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","env":[{"__proto__":{}}]}]}}', 'spec.containers[0].env[0].__proto__'],
  ];
  for (const [json, path] of cases) {
    const o = JSON.parse(json) as unknown;
    for (const [how, v] of [['as parsed', o], ['after defaults', applyDefaults(JSON.parse(json) as KubeObject)]] as const) {
      t.same(validate(v).map((i) => [i.path, i.type]), [[path, 'Forbidden']], `${path}, ${how}`);
      t.equal(Object.getPrototypeOf((v as { spec?: object; data?: object }).spec ?? (v as { data: object }).data), Object.prototype, `${how}: no prototype was set`);
    }
  }
  t.match(messages(JSON.parse(cases[0]![0])), [/spec\.__proto__: Forbidden: the key "__proto__" is not allowed/]);
});
