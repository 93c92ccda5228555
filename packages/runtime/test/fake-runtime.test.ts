import t from 'tap';
import { FakeEngine, FakeRuntime, runSandbox, type ContainerRuntime } from '@shoal/runtime';
import { runtimeCompliance } from './compliance.js';

// The fake's programs, chosen by the first word of the entrypoint.
const engine = new FakeEngine({
  program: (spec) => {
    const [kind, a1, a2] = spec.entrypoint ?? [];
    switch (kind) {
      case 'forever': return { logs: [a1 ?? ''] };
      case 'exit': return { logs: [a2 ?? ''], exitCode: Number(a1) };
      case 'ignore-term': return { ignoreTerm: true, logs: ['ready'] };
      case 'allocate': return spec.resources.memoryBytes ? { oomKilled: true, exitAfterMs: 5 } : {};
      default: return {};
    }
  },
  exec: (_c, cmd) => ({ stdout: cmd[1] ?? '', stderr: cmd[2] ?? '', exitCode: Number(cmd[3]) }),
});

const runtimes: ContainerRuntime[] = [];

t.test('FakeRuntime passes the ContainerRuntime compliance suite', async (t) => {
  runtimeCompliance(t, {
    runtime: (node) => {
      const r = new FakeRuntime({ ownerNode: node, engine });
      runtimes.push(r);
      return r;
    },
    image: 'shoal/busybox:latest',
    runForever: (line) => ['forever', line],
    exitWith: (code, line) => ['exit', String(code), line],
    ignoreTerm: () => ['ignore-term'],
    allocate: () => ['allocate'],
    execPrint: (out, err, code) => ['print', out, err, String(code)],
    cleanup: async (node) => {
      for (const [id, r] of engine.records) if (r.labels['io.shoal.owner-node'] === node) engine.records.delete(id);
    },
  }, 'fake');
});

t.test('the fake records calls and can fail an operation on demand', async (t) => {
  const e = new FakeEngine();
  const r = e.runtime('n1');
  e.failNext('createSandbox', new Error('boom'));
  await t.rejects(runSandbox(r, { pod: { uid: 'u', namespace: 'default', name: 'p' }, nodeName: 'n1', attempt: 0, hostname: 'p', portMappings: [], terminationGraceSeconds: 1 }), /boom/);
  const sb = await runSandbox(r, { pod: { uid: 'u', namespace: 'default', name: 'p' }, nodeName: 'n1', attempt: 0, hostname: 'p', portMappings: [], terminationGraceSeconds: 1 });
  t.same(e.calls, ['createSandbox p', 'startSandbox p']);
  const id = await r.createContainer(sb.id, { pod: sb.pod, nodeName: 'n1', name: 'c', attempt: 0, image: 'shoal/busybox', env: [], mounts: [], resources: {}, terminationGraceSeconds: 1 });
  await r.startContainer(id);
  // Stopping the sandbox takes its containers down with it.
  await r.stopSandbox(sb.id, 0);
  t.equal((await r.inspectContainer(id))?.state, 'exited');
  e.writeLog(id, 'late\n');
  t.equal((await (await r.logs(id)).toArray()).join(''), 'late\n');
});
