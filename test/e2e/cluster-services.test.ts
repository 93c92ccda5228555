// Services through the daemons on real Docker: a client pod reaches a
// Deployment of echo servers by virtual IP, short name, FQDN and env vars;
// every replica answers; an unready replica stops getting traffic; a rolling
// update drops no request; a headless StatefulSet name resolves; a NodePort
// answers on every node's address.
import t from 'tap';
import { connect } from 'node:net';
import type { Deployment, Pod, Service } from '@shoal/api';
import { PrivateCluster } from '../../scripts/lib/private-cluster.js';

function echo(version: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'echo', image: 'shoal/echo:latest', imagePullPolicy: 'Never',
              // As in Kubernetes, the proxies drop a terminating pod a moment after
              // its node sees the deletion: keep serving until they have.
              lifecycle: { preStop: { sleep: { seconds: 2 } } },
              env: [{ name: 'VERSION', value: version }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
            },
            {
              // A gate the test closes to make one replica unready.
              name: 'gate', image: 'shoal/busybox:latest', imagePullPolicy: 'Never',
              command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
              readinessProbe: { exec: { command: ['sh', '-c', 'test ! -f /tmp/closed'] }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

const service = (name: string, type: 'ClusterIP' | 'NodePort'): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name },
  spec: { type, selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
});

/** Shell for one HTTP GET with nc (busybox wget crashes in the static image): prints the pod name or FAIL. */
const get = (target: string) => `r=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${target} | tail -n 1 | sed -n 's/.*"pod":"\\([^"]*\\)".*/\\1/p'); echo "\${r:-FAIL}"`;

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect({ host, port }, () => s.write('GET / HTTP/1.0\r\n\r\n'));
    let buf = '';
    s.on('data', (b) => (buf += b.toString()));
    s.on('end', () => res(buf));
    s.on('error', rej);
    s.setTimeout(3_000, () => s.destroy(new Error('timeout')));
  });
}

t.test('services: VIP, names, env vars, readiness, rolling update, headless and NodePort', async (t) => {
  const pc = new PrivateCluster();
  t.teardown(() => pc.close());
  await pc.start();
  const c = pc.client();
  await c.apply(service('web', 'ClusterIP'));
  await c.apply(service('web-np', 'NodePort'));
  await c.apply(echo('v1'));
  await c.apply({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }] },
  });
  await pc.until('3 ready echo pods and a running client', async () => {
    const web = (await pc.pods('app=web', c)).filter(PrivateCluster.ready);
    const client = await c.get<Pod>('Pod', 'client');
    return web.length === 3 && client.status?.phase === 'Running' ? true : undefined;
  }, 120_000);
  const sh = async (cmd: string) => (await c.exec('client', ['sh', '-c', cmd], { timeoutMs: 60_000 })).stdout.toString().trim();

  const svc = await c.get<Service>('Service', 'web');
  const vip = svc.spec!.clusterIP!;
  t.match(vip, /^10\.96\./, `virtual IP ${vip}`);
  for (const target of [`${vip} 80`, 'web 80', 'web.default.svc.cluster.local 80', '$WEB_SERVICE_HOST $WEB_SERVICE_PORT']) {
    t.not(await sh(get(target)), 'FAIL', `reaches the service by ${target}`);
  }
  t.equal(await sh('echo $WEB_PORT_80_TCP'), `tcp://${vip}:80`, 'service link env vars in the Kubernetes format');

  const answers = (await sh(`for i in $(seq 1 300); do ${get(`${vip} 80`)}; done`)).split('\n');
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  t.notOk(counts['FAIL'], `no failed request of 300 (${JSON.stringify(counts)})`);
  t.equal(Object.keys(counts).length, 3, 'every replica answered');

  // Close one replica's gate: it turns unready and leaves the endpoints.
  const victim = Object.keys(counts)[0]!;
  await c.exec(victim, ['touch', '/tmp/closed'], { container: 'gate' });
  await pc.until('the replica to leave the endpoints', async () => {
    const ep = await c.get<{ subsets?: { addresses?: { targetRef?: { name: string } }[] }[] } & Pod>('Endpoints', 'web');
    return ep.subsets?.every((s) => !(s.addresses ?? []).some((a) => a.targetRef?.name === victim)) ? true : undefined;
  }, 30_000);
  await new Promise((r) => setTimeout(r, 1_000));
  const after = (await sh(`for i in $(seq 1 60); do ${get(`${vip} 80`)}; done`)).split('\n');
  t.notOk(after.includes(victim), 'the unready replica gets no traffic');
  t.notOk(after.includes('FAIL'), 'and no request fails');
  await c.exec(victim, ['rm', '/tmp/closed'], { container: 'gate' });

  // A rolling update with maxUnavailable 0 while a client loops: no failed request.
  await pc.until('3 ready again', async () => ((await pc.pods('app=web', c)).filter(PrivateCluster.ready).length === 3 ? true : undefined), 60_000);
  const loop = sh(`n=0; f=0; end=$(( $(date +%s) + 40 )); while [ $(date +%s) -lt $end ]; do n=$((n+1)); r=$(${get(`${vip} 80`)}); [ "$r" = FAIL ] && f=$((f+1)); done; echo "$n $f"`);
  await new Promise((r) => setTimeout(r, 2_000));
  await c.apply(echo('v2'));
  const [sent, failed] = (await loop).split(' ').map(Number);
  t.ok(sent! > 50, `${sent} requests during the rollout`);
  t.equal(failed, 0, 'no request failed during the rolling update');

  // Headless service for a StatefulSet: db-0.db resolves to the pod.
  await c.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5000 }] } });
  await c.apply({
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
    spec: {
      serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'db', image: 'shoal/busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }] } },
    },
  });
  const db0 = await pc.until('db-0 running', async () => {
    const p = await c.get<Pod>('Pod', 'db-0').catch(() => undefined);
    return p && PrivateCluster.ready(p) ? p : undefined;
  }, 60_000);
  const resolved = await pc.until('db-0.db to resolve', async () => {
    // ping resolves through the resolver with the pod's search path (busybox nslookup does not apply it).
    const out = await sh('ping -c 1 -W 1 db-0.db 2>&1 | head -n 1');
    return out.includes(db0.status!.podIP!) ? out : undefined;
  }, 30_000);
  t.match(resolved, db0.status!.podIP!, 'db-0.db resolves to the pod');

  // NodePort: every node's address answers.
  const np = (await c.get<Service>('Service', 'web-np')).spec!.ports![0]!.nodePort!;
  for (const n of pc.names) {
    const addr = pc.cluster.node(n).address;
    const res = await pc.until(`NodePort on ${addr}`, async () => {
      const r = await httpGet(addr, np).catch(() => '');
      return r.includes('"pod"') ? r : undefined;
    }, 30_000);
    t.match(res, /200 OK/, `NodePort ${np} answers on ${n} (${addr})`);
  }
});
