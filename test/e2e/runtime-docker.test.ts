// DockerRuntime against the real engine: the same compliance suite the fake passes.
import t from 'tap';
import Docker from 'dockerode';
import { DockerRuntime, LABEL_OWNER, type ContainerRuntime } from '@shoal/runtime';
import { runtimeCompliance } from '../../packages/runtime/test/compliance.js';

const docker = new Docker();

async function removeOwnedBy(node: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=${node}`] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const vols = await docker.listVolumes({ filters: { label: [`${LABEL_OWNER}=${node}`] } });
  await Promise.all((vols.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => {})));
}

t.test('DockerRuntime passes the ContainerRuntime compliance suite', async (t) => {
  const runtimes: ContainerRuntime[] = [];
  runtimeCompliance(t, {
    runtime: (node) => {
      const r = new DockerRuntime({ ownerNode: node, docker });
      runtimes.push(r);
      return r;
    },
    image: 'shoal/busybox:latest',
    // `sleep & wait` so the shell (PID 1) handles SIGTERM at once.
    runForever: (line) => ['sh', '-c', `trap 'exit 0' TERM; echo '${line}'; sleep 3600 & wait`],
    exitWith: (code, line) => ['sh', '-c', `echo '${line}'; exit ${code}`],
    // SIGTERM ignored by the shell and inherited as ignored by its child.
    ignoreTerm: () => ['sh', '-c', "trap '' TERM; echo ready; sleep 3600 & wait"],
    allocate: () => ['sh', '-c', 'head -c 200m /dev/zero | tail'],
    execPrint: (out, err, code) => ['sh', '-c', `echo ${out}; echo ${err} >&2; exit ${code}`],
    cleanup: removeOwnedBy,
  }, 'e2e-rt');
});
