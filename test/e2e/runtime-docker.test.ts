// DockerRuntime against the real engine: the same compliance suite the fake passes.
import t from 'tap';
import Docker from 'dockerode';
import { DockerRuntime, type ContainerRuntime } from '@shoal/runtime';
import { runtimeCompliance } from '../../packages/runtime/test/compliance.js';
import { busyboxBehaviours, removeOwnedBy as removeOwned } from './helpers/runtime-harness.js';

const docker = new Docker();

const removeOwnedBy = (node: string) => removeOwned(docker, node);

t.test('DockerRuntime passes the ContainerRuntime compliance suite', async (t) => {
  const runtimes: ContainerRuntime[] = [];
  runtimeCompliance(t, {
    runtime: (node) => {
      const r = new DockerRuntime({ ownerNode: node, docker });
      runtimes.push(r);
      return r;
    },
    ...busyboxBehaviours,
    cleanup: removeOwnedBy,
  }, 'e2e-rt');
});

t.test("creating a pod's container does not wait for its sandbox to finish starting", async (t) => {
  // The engine holds a container's lock for the whole start (network set-up),
  // and inspect waits for that lock; the agent creates the pod's first
  // containers during the sandbox's start, so that check must not inspect.
  const node = `e2e-rt-early-${process.pid}`;
  const rt = new DockerRuntime({ ownerNode: node, docker });
  t.teardown(async () => {
    await removeOwnedBy(node);
    await rt.close();
  });
  const p = { uid: `uid-early-${process.pid}`, namespace: 'default', name: 'early' };
  const order: string[] = [];
  for (let i = 0; i < 3; i++) {
    const sbId = await rt.createSandbox({ pod: p, nodeName: node, attempt: i, hostname: 'early', portMappings: [], terminationGraceSeconds: 1 });
    const started = rt.startSandbox(sbId).then(() => { order.push('sandbox started'); });
    await new Promise((r) => setTimeout(r, 15));
    const id = await rt.createContainer(sbId, {
      pod: p, nodeName: node, name: 'app', attempt: i, image: 'shoal/busybox:latest', entrypoint: ['sleep', '3600'], cmd: [], env: [], mounts: [], resources: {}, terminationGraceSeconds: 1,
    });
    order.push('container created');
    await started;
    await rt.startContainer(id);
    t.equal((await rt.inspectContainer(id))?.state, 'running', `attempt ${i} runs`);
    await rt.removeSandbox(sbId);
    await rt.removeContainer(id);
  }
  t.ok(order.filter((x, i) => i % 2 === 0 && x === 'container created').length >= 2, `created before the sandbox start returned, in most rounds: ${order.join(', ')}`);
});

t.test('a list pass inspects a container again only when its state changed', async (t) => {
  const node = `e2e-rt-cache-${process.pid}`;
  let inspects = 0;
  // Count the engine inspects the runtime makes.
  const counting = new Proxy(docker, {
    get(target, prop, recv) {
      if (prop !== 'getContainer') return Reflect.get(target, prop, recv) as unknown;
      return (id: string) => {
        const c = target.getContainer(id);
        const inspect = c.inspect.bind(c);
        c.inspect = (() => { inspects++; return inspect(); }) as typeof c.inspect;
        return c;
      };
    },
  });
  const rt = new DockerRuntime({ ownerNode: node, docker: counting });
  t.teardown(async () => {
    await removeOwnedBy(node);
    await rt.close();
  });
  const p = { uid: `uid-cache-${process.pid}`, namespace: 'default', name: 'cache' };
  const sbId = await rt.createSandbox({ pod: p, nodeName: node, attempt: 0, hostname: 'cache', portMappings: [], terminationGraceSeconds: 1 });
  const started = await rt.startSandbox(sbId);
  const first = await rt.listSandboxes();
  t.same(first.map((s) => [s.state, s.ip]), [['running', started.ip]]);
  const before = inspects;
  t.same((await rt.listSandboxes()).map((s) => [s.state, s.ip]), [['running', started.ip]], 'same answer');
  t.equal(inspects, before, 'no inspect while the state is unchanged');
  await rt.stopSandbox(sbId, 0);
  const after = await rt.listSandboxes();
  t.equal(after[0]?.state, 'exited', 'a stopped sandbox is seen exited');
  t.equal(after[0]?.ip, undefined, 'without its IP');
  await rt.removeSandbox(sbId);
  t.same(await rt.listSandboxes(), [], 'and gone once removed');
});
