import t from 'tap';
import type { Pod } from '@shoal/api';
import {
  buildContainerSpec, buildSandboxSpec, cgroupResources, containerEnv, ContainerConfigError, cpuMillis, expandVars, memoryBytes,
  parseQuantity, planVolumes, containerMounts, LABEL_KIND, LABEL_SPEC_HASH, specHash, type ConfigResolver,
} from '@shoal/runtime';

const resolver: ConfigResolver = {
  configMap: (_ns, name) => (name === 'cfg' ? { a: '1', b: '2', 'nested.conf': 'x' } : undefined),
  secret: (_ns, name) => (name === 'sec' ? { token: 's3cret' } : undefined),
};

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'prod', uid: 'abcdef12-3456', labels: { app: 'web' }, annotations: { note: 'hi' } },
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'shoal/echo:latest' }], ...spec },
  };
}
const ctx = { nodeName: 'n1', podIP: '172.17.0.5', hostIP: '10.0.0.2', serviceEnv: [], resolver };

t.test('quantities', async (t) => {
  t.equal(parseQuantity('250m'), 0.25);
  t.equal(parseQuantity('1.5'), 1.5);
  t.equal(parseQuantity(2), 2);
  t.equal(parseQuantity('64Mi'), 64 * 2 ** 20);
  t.equal(parseQuantity('1G'), 1e9);
  t.equal(parseQuantity('1e3'), 1000);
  t.equal(cpuMillis('0.1'), 100);
  t.equal(cpuMillis('1'), 1000);
  t.equal(memoryBytes('1Ki'), 1024);
  t.throws(() => parseQuantity('12Xi'), ContainerConfigError);
  t.throws(() => parseQuantity('abc'), ContainerConfigError);
  t.throws(() => parseQuantity(-1), ContainerConfigError);
});

t.test('cgroup limits from requests and limits', async (t) => {
  t.same(cgroupResources(undefined), {});
  t.same(cgroupResources({ limits: { cpu: '2', memory: '20Mi' } }), { nanoCpus: 2e9, cpuShares: 2048, memoryBytes: 20 * 2 ** 20, memoryReservationBytes: 20 * 2 ** 20 }, 'requests default to limits');
  t.same(cgroupResources({ requests: { cpu: '1m', memory: '1Mi' } }), { cpuShares: 2, memoryReservationBytes: 2 ** 20 }, 'shares at least 2');
});

t.test('env: order, precedence, $(VAR) expansion, downward API, service links', async (t) => {
  const p = pod({ containers: [{
    name: 'app', image: 'x',
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'sec' } }],
    env: [
      { name: 'CFG_A', value: 'overridden' },
      { name: 'URL', value: 'http://$(HOST_IP):80/$(CFG_b)/$$(literal)/$(UNKNOWN)' },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'LATER', value: '$(HOST_IP)' },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing', optional: true } } },
    ],
    resources: { limits: { memory: '32Mi' } },
  }] });
  const env = containerEnv(p, p.spec!.containers[0]!, { ...ctx, serviceEnv: [{ name: 'WEB_SERVICE_HOST', value: '10.0.0.11' }] });
  t.same(env, [
    'WEB_SERVICE_HOST=10.0.0.11',
    'CFG_a=1', 'CFG_b=2', 'CFG_nested.conf=x', 'token=s3cret',
    'CFG_A=overridden',
    'URL=http://$(HOST_IP):80/2/$(literal)/$(UNKNOWN)',
    'HOST_IP=10.0.0.2',
    'LATER=10.0.0.2',
    'UID=abcdef12-3456', 'APP=web', 'NOTE=hi', 'MEM=32',
  ]);
  const off = pod({ enableServiceLinks: false });
  t.same(containerEnv(off, off.spec!.containers[0]!, { ...ctx, serviceEnv: [{ name: 'X', value: '1' }] }), [], 'enableServiceLinks: false');
  t.throws(() => containerEnv(p, { name: 'c', image: 'x', env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 'sec', key: 'nope' } } }] }, ctx), /Secret sec has no key nope/);
  t.throws(() => containerEnv(p, { name: 'c', image: 'x', env: [{ name: 'F', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }, ctx), ContainerConfigError);
  t.throws(() => containerEnv(p, { name: 'c', image: 'x', envFrom: [{ configMapRef: { name: 'gone' } }] }, ctx), /ConfigMap gone not found/);
  t.equal(expandVars('$(A)$(B', new Map([['A', '1']])), '1$(B');
});

t.test('command and args follow Kubernetes semantics', async (t) => {
  const p = pod();
  const vol = { kind: 'app' as const, attempt: 3, nodeName: 'n1', env: ctx, volumes: [] };
  const plain = buildContainerSpec(p, { name: 'a', image: 'x' }, vol);
  t.equal(plain.entrypoint, undefined, 'image ENTRYPOINT kept');
  t.equal(plain.cmd, undefined, 'image CMD kept');
  const cmdOnly = buildContainerSpec(p, { name: 'a', image: 'x', command: ['/bin/run'] }, vol);
  t.same([cmdOnly.entrypoint, cmdOnly.cmd], [['/bin/run'], []], 'command alone drops the image CMD');
  const argsOnly = buildContainerSpec(p, { name: 'a', image: 'x', args: ['--fast'] }, vol);
  t.same([argsOnly.entrypoint, argsOnly.cmd], [undefined, ['--fast']], 'args alone keep the ENTRYPOINT');
  const both = buildContainerSpec(p, { name: 'a', image: 'x', command: ['sh'], args: ['-c', 'echo $(POD)'], env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], workingDir: '/w', tty: true }, vol);
  t.same([both.entrypoint, both.cmd, both.workingDir, both.tty], [['sh'], ['-c', 'echo web-0'], '/w', true]);
  t.equal(both.attempt, 3);
  t.equal(both.labels?.[LABEL_KIND], 'app');
  t.equal(both.labels?.[LABEL_SPEC_HASH], specHash({ name: 'a', image: 'x', command: ['sh'], args: ['-c', 'echo $(POD)'], env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], workingDir: '/w', tty: true }));
  t.equal(both.terminationGraceSeconds, 30);
  t.not(specHash({ name: 'a', image: 'x' }), specHash({ name: 'a', image: 'y' }), 'the hash sees a changed image');
});

t.test('sandbox: hostname, published host ports, DNS, grace', async (t) => {
  const p = pod({
    hostname: 'db-0', terminationGracePeriodSeconds: 5,
    initContainers: [{ name: 'i', image: 'x', ports: [{ containerPort: 9000, hostPort: 19000, protocol: 'UDP' }] }],
    containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 8080, hostPort: 18080, hostIP: '127.0.0.1' }, { containerPort: 9090 }] }],
  });
  const s = buildSandboxSpec(p, { nodeName: 'n1', attempt: 1, dns: { nameservers: ['10.0.0.10'], searches: ['prod.svc.cluster.local'], options: ['ndots:5'] } });
  t.equal(s.hostname, 'db-0');
  t.same(s.portMappings, [{ containerPort: 9000, hostPort: 19000, protocol: 'UDP' }, { containerPort: 8080, hostPort: 18080, protocol: 'TCP', hostIP: '127.0.0.1' }]);
  t.same(s.dns?.nameservers, ['10.0.0.10']);
  t.equal(s.terminationGraceSeconds, 5);
  t.equal(buildSandboxSpec(pod(), { nodeName: 'n1', attempt: 0 }).hostname, 'web-0');
});

t.test('volumes: where each kind lives and how it is mounted', async (t) => {
  const p = pod({ volumes: [
    { name: 'scratch', emptyDir: {} },
    { name: 'fast', emptyDir: { medium: 'Memory' } },
    { name: 'conf', configMap: { name: 'cfg', items: [{ key: 'a', path: 'sub/a.txt', mode: 0o600 }] } },
    { name: 'creds', secret: { secretName: 'sec' } },
    { name: 'host', hostPath: { path: '/var/log' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0', readOnly: true } },
  ] });
  const plans = planVolumes(p, '/var/lib/shoal', resolver);
  t.same(plans.map((x) => x.kind), ['dockerVolume', 'dockerVolume', 'files', 'files', 'hostPath', 'dockerVolume']);
  t.same(plans[0], { name: 'scratch', kind: 'dockerVolume', volume: 'shoal-ed-abcdef12-3456-scratch', tmpfs: false, persistent: false });
  t.equal((plans[1] as { tmpfs: boolean }).tmpfs, true);
  t.same((plans[2] as { files: unknown }).files, [{ path: 'sub/a.txt', content: '1', mode: 0o600 }]);
  t.equal((plans[2] as { hostDir: string }).hostDir, '/var/lib/shoal/pods/abcdef12-3456/volumes/conf');
  t.same((plans[3] as { files: unknown }).files, [{ path: 'token', content: 's3cret', mode: 0o644 }]);
  t.same(plans[5], { name: 'data', kind: 'dockerVolume', volume: 'shoal-pv-prod-data-web-0', tmpfs: false, persistent: true });
  const mounts = containerMounts([
    { name: 'scratch', mountPath: '/s' }, { name: 'conf', mountPath: '/etc/c' }, { name: 'host', mountPath: '/h', subPath: 'app', readOnly: true }, { name: 'data', mountPath: '/d' },
  ], plans, p);
  t.same(mounts, [
    { type: 'volume', source: 'shoal-ed-abcdef12-3456-scratch', target: '/s', readOnly: false },
    { type: 'bind', source: '/var/lib/shoal/pods/abcdef12-3456/volumes/conf', target: '/etc/c', readOnly: true },
    { type: 'bind', source: '/var/log/app', target: '/h', readOnly: true },
    { type: 'volume', source: 'shoal-pv-prod-data-web-0', target: '/d', readOnly: true },
  ]);
  t.throws(() => containerMounts([{ name: 'nope', mountPath: '/x' }], plans, p), /no volume named nope/);
  t.throws(() => containerMounts([{ name: 'scratch', mountPath: '/x', subPath: 'a' }], plans, p), /subPath is not supported/);
  t.throws(() => containerMounts([{ name: 'host', mountPath: '/x', subPath: '../etc' }], plans, p), ContainerConfigError);
  t.throws(() => planVolumes(pod({ volumes: [{ name: 'c', configMap: { name: 'gone' } }] }), '/d', resolver), /ConfigMap gone not found/);
  t.same(planVolumes(pod({ volumes: [{ name: 'c', configMap: { name: 'gone', optional: true } }] }), '/d', resolver)[0], { name: 'c', kind: 'files', hostDir: '/d/pods/abcdef12-3456/volumes/c', files: [] });
  t.throws(() => planVolumes(pod({ volumes: [{ name: 'c', secret: { secretName: 'sec', items: [{ key: 'x', path: 'x' }] } }] }), '/d', resolver), /has no key x/);
  t.throws(() => planVolumes(pod({ volumes: [{ name: 'c' }] }), '/d', resolver), /no supported source/);
});
