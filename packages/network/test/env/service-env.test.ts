import t from 'tap';
import type { ObjectReader, Pod, Service, KubeObject } from '@shoal/api';
import { serviceEnvVars, podServiceEnv, envName } from '../../src/env/service-env.js';
import { dnsConfigFor } from '../../src/dns/dns-config.js';

function svc(name: string, ns: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

function asMap(env: { name: string; value?: string }[]): Record<string, string | undefined> {
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}

function reader(objs: KubeObject[]): ObjectReader {
  return {
    revision: 1,
    get: () => undefined,
    list: <T extends KubeObject>(kind: string, opts?: { namespace?: string }) =>
      objs.filter((o) => o.kind === kind && (opts?.namespace === undefined || o.metadata.namespace === opts.namespace)) as T[],
  };
}

t.test('the issue example: redis-primary on 10.0.0.11:6379', async (t) => {
  const env = serviceEnvVars([svc('redis-primary', 'default', { clusterIP: '10.0.0.11', ports: [{ port: 6379 }] })], 'default');
  t.same(env, [
    { name: 'REDIS_PRIMARY_SERVICE_HOST', value: '10.0.0.11' },
    { name: 'REDIS_PRIMARY_SERVICE_PORT', value: '6379' },
    { name: 'REDIS_PRIMARY_PORT', value: 'tcp://10.0.0.11:6379' },
    { name: 'REDIS_PRIMARY_PORT_6379_TCP', value: 'tcp://10.0.0.11:6379' },
    { name: 'REDIS_PRIMARY_PORT_6379_TCP_PROTO', value: 'tcp' },
    { name: 'REDIS_PRIMARY_PORT_6379_TCP_PORT', value: '6379' },
    { name: 'REDIS_PRIMARY_PORT_6379_TCP_ADDR', value: '10.0.0.11' },
  ]);
});

t.test('named ports, several ports, UDP', async (t) => {
  const env = asMap(serviceEnvVars([svc('web-front', 'default', {
    clusterIP: '10.96.0.7',
    ports: [{ name: 'http-alt', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }],
  })], 'default'));
  t.equal(env.WEB_FRONT_SERVICE_PORT, '8080', 'first port is the service port');
  t.equal(env.WEB_FRONT_SERVICE_PORT_HTTP_ALT, '8080');
  t.equal(env.WEB_FRONT_SERVICE_PORT_DNS, '53');
  t.equal(env.WEB_FRONT_PORT, 'tcp://10.96.0.7:8080');
  t.equal(env.WEB_FRONT_PORT_53_UDP, 'udp://10.96.0.7:53');
  t.equal(env.WEB_FRONT_PORT_53_UDP_PROTO, 'udp');
  t.equal(env.WEB_FRONT_PORT_53_UDP_ADDR, '10.96.0.7');
  t.equal(Object.keys(env).length, 2 + 2 + 1 + 8);
});

t.test('headless, unallocated, portless and other-namespace services give nothing', async (t) => {
  const env = serviceEnvVars([
    svc('db', 'default', { clusterIP: 'None', ports: [{ port: 5432 }] }),
    svc('new', 'default', { ports: [{ port: 1 }] }),
    svc('noport', 'default', { clusterIP: '10.96.0.9' }),
    svc('web', 'other', { clusterIP: '10.96.0.3', ports: [{ port: 80 }] }),
  ], 'default');
  t.same(env, []);
});

t.test('order is by service name, independent of input order', async (t) => {
  const a = svc('b-svc', 'default', { clusterIP: '10.96.0.2', ports: [{ port: 2 }] });
  const b = svc('a-svc', 'default', { clusterIP: '10.96.0.1', ports: [{ port: 1 }] });
  t.same(serviceEnvVars([a, b], 'default'), serviceEnvVars([b, a], 'default'));
  t.equal(serviceEnvVars([a, b], 'default')[0]!.name, 'A_SVC_SERVICE_HOST');
  t.equal(envName('a-b-c'), 'A_B_C');
});

t.test('podServiceEnv reads the namespace and honours enableServiceLinks', async (t) => {
  const view = reader([
    svc('web', 'default', { clusterIP: '10.96.0.3', ports: [{ port: 80 }] }),
    svc('web', 'shop', { clusterIP: '10.96.0.4', ports: [{ port: 80 }] }),
  ]);
  const pod = (ns: string, links?: boolean): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns },
    spec: { containers: [], ...(links === undefined ? {} : { enableServiceLinks: links }) },
  });
  t.equal(asMap(podServiceEnv(pod('shop'), view)).WEB_SERVICE_HOST, '10.96.0.4');
  t.equal(asMap(podServiceEnv(pod('default', true), view)).WEB_SERVICE_HOST, '10.96.0.3');
  t.same(podServiceEnv(pod('default', false), view), []);
});

t.test('dnsConfigFor: ClusterFirst search path, ndots 5; Default and None', async (t) => {
  const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [], ...spec },
  });
  t.same(dnsConfigFor(pod(), 'cluster.local', '10.210.0.1'), {
    nameservers: ['10.210.0.1'],
    searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    options: ['ndots:5'],
  });
  t.equal(dnsConfigFor(pod({ dnsPolicy: 'Default' }), 'cluster.local', '10.210.0.1'), undefined);
  t.equal(dnsConfigFor(pod({ hostNetwork: true }), 'cluster.local', '10.210.0.1'), undefined);
  t.same(dnsConfigFor(pod({ dnsPolicy: 'None' }), 'cluster.local', '10.210.0.1'), { nameservers: [], searches: [], options: [] });
});
