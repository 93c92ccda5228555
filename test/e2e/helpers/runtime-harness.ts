// What the ContainerRuntime compliance suite needs on the real engine, shared
// by the DockerRuntime tests (Docker's network and Shoal's veth wiring).
import type Docker from 'dockerode';
import { LABEL_OWNER } from '@shoal/runtime';
import type { ComplianceHarness } from '../../../packages/runtime/test/compliance.js';

/** Removes every container and volume a node's runtime made. */
export async function removeOwnedBy(docker: Docker, node: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_OWNER}=${node}`] } });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const vols = await docker.listVolumes({ filters: { label: [`${LABEL_OWNER}=${node}`] } });
  await Promise.all((vols.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => {})));
}

/** The suite's behaviours as shoal/busybox entrypoints. */
export const busyboxBehaviours: Omit<ComplianceHarness, 'runtime' | 'cleanup'> = {
  image: 'shoal/busybox:latest',
  // `sleep & wait` so the shell (PID 1) handles SIGTERM at once.
  runForever: (line) => ['sh', '-c', `trap 'exit 0' TERM; echo '${line}'; sleep 3600 & wait`],
  exitWith: (code, line) => ['sh', '-c', `echo '${line}'; exit ${code}`],
  // SIGTERM ignored by the shell and inherited as ignored by its child.
  ignoreTerm: () => ['sh', '-c', "trap '' TERM; echo ready; sleep 3600 & wait"],
  allocate: () => ['sh', '-c', 'head -c 200m /dev/zero | tail'],
  execPrint: (out, err, code) => ['sh', '-c', `echo ${out}; echo ${err} >&2; exit ${code}`],
};
