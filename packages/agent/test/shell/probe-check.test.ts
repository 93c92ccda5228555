import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { FakeEngine, runSandbox } from '@shoal/runtime';
import { runCheck } from '../../src/shell/probe-check.js';

const engine = new FakeEngine({ exec: (_c, cmd) => ({ stdout: 'out', stderr: '', exitCode: cmd[0] === 'ok' ? 0 : 2 }) });
const runtime = engine.runtime('n1');

t.test('httpGet: 2xx/3xx pass, others fail; named ports and headers', async (t) => {
  let seenHeader: string | undefined;
  const server = http.createServer((req, res) => {
    seenHeader = req.headers['x-probe'] as string | undefined;
    res.statusCode = req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 503;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const target = { containerId: 'x', container: { name: 'c', image: 'i', ports: [{ name: 'http', containerPort: port }] }, podIP: '127.0.0.1' };
  t.same(await runCheck(runtime, { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target), { ok: true });
  t.equal(seenHeader, 'yes');
  t.same(await runCheck(runtime, { httpGet: { path: '/moved', port } }, target), { ok: true });
  const bad = await runCheck(runtime, { httpGet: { path: '/', port } }, target);
  t.match(bad, { ok: false, message: /statuscode: 503/ });
  t.match(await runCheck(runtime, { httpGet: { port: 'nope' } }, target), { ok: false, message: /no address/ });
});

t.test('httpGet times out on a server that never answers', async (t) => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s)); // accepts, never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => { for (const s of sockets) s.destroy(); return new Promise<void>((r) => server.close(() => r())); });
  const port = (server.address() as AddressInfo).port;
  const r = await runCheck(runtime, { httpGet: { port }, timeoutSeconds: 0.2 }, { containerId: 'x', container: { name: 'c', image: 'i' }, podIP: '127.0.0.1' });
  t.match(r, { ok: false, message: /timeout/ });
});

t.test('tcpSocket: connects or fails', async (t) => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const target = { containerId: 'x', container: { name: 'c', image: 'i' }, podIP: '127.0.0.1' };
  t.same(await runCheck(runtime, { tcpSocket: { port } }, target), { ok: true });
  await new Promise<void>((r) => server.close(() => r()));
  t.match(await runCheck(runtime, { tcpSocket: { port } }, target), { ok: false, message: /dial tcp/ });
});

t.test('exec: exit 0 passes', async (t) => {
  const sb = await runSandbox(runtime, { pod: { uid: 'u', namespace: 'default', name: 'p' }, nodeName: 'n1', attempt: 0, hostname: 'p', portMappings: [], terminationGraceSeconds: 0 });
  const id = await runtime.createContainer(sb.id, { pod: sb.pod, nodeName: 'n1', name: 'c', attempt: 0, image: 'shoal/busybox', env: [], mounts: [], resources: {}, terminationGraceSeconds: 0 });
  await runtime.startContainer(id);
  const target = { containerId: id, container: { name: 'c', image: 'i' } };
  t.same(await runCheck(runtime, { exec: { command: ['ok'] } }, target), { ok: true });
  t.match(await runCheck(runtime, { exec: { command: ['fail'] } }, target), { ok: false, message: /exec exited 2: out/ });
  t.match(await runCheck(runtime, {}, target), { ok: false, message: /no handler/ });
});
