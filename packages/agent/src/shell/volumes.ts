/**
 * Prepares a pod's volumes on the node before its containers start, and
 * removes them when the pod is gone. ConfigMap and Secret files are written
 * afresh each time (so a restarted container sees current data); persistent
 * volumes outlive the pod.
 */
import { mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import type { Pod } from '@shoal/api';
import {
  LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, LABEL_VOLUME_KIND, podDir, type ConfigResolver,
  type ContainerRuntime, type VolumePlan, planVolumes,
} from '@shoal/runtime';

export async function prepareVolumes(runtime: ContainerRuntime, pod: Pod, dataDir: string, resolver: ConfigResolver): Promise<VolumePlan[]> {
  const plans = planVolumes(pod, dataDir, resolver);
  const uid = pod.metadata.uid ?? '';
  const ns = pod.metadata.namespace ?? 'default';
  for (const p of plans) {
    if (p.kind === 'dockerVolume') {
      const labels: Record<string, string> = p.persistent
        ? { [LABEL_VOLUME_KIND]: 'pv', [LABEL_POD_NAMESPACE]: ns }
        : { [LABEL_VOLUME_KIND]: 'emptydir', [LABEL_POD_UID]: uid, [LABEL_POD_NAMESPACE]: ns, [LABEL_POD_NAME]: pod.metadata.name };
      await runtime.createVolume(p.volume, { labels, tmpfs: p.tmpfs });
    } else if (p.kind === 'files') {
      await rm(p.hostDir, { recursive: true, force: true });
      await mkdir(p.hostDir, { recursive: true });
      for (const f of p.files) {
        const file = path.join(p.hostDir, f.path);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, f.content);
        await chmod(file, f.mode);
      }
    }
  }
  return plans;
}

/** Removes the pod's emptyDir volumes and its directory under the data dir. */
export async function cleanupPodVolumes(runtime: ContainerRuntime, podUid: string, dataDir: string): Promise<void> {
  for (const v of await runtime.listVolumes()) {
    if (v.labels[LABEL_POD_UID] === podUid && v.labels[LABEL_VOLUME_KIND] === 'emptydir') await runtime.removeVolume(v.name);
  }
  await rm(podDir(dataDir, podUid), { recursive: true, force: true });
}
