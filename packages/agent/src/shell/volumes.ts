/**
 * Prepares a pod's volumes on the node before its containers start, and
 * removes them when the pod is gone. ConfigMap and Secret files are written
 * afresh each time (so a restarted container sees current data); persistent
 * volumes outlive the pod.
 *
 * A claim's volume is named after the claim and its uid, so a claim deleted
 * and created again under the same name gets a new, empty volume, and two
 * clusters sharing one Docker engine never share a volume. The volume is
 * removed by `removeReleasedVolumes` once its claim is gone.
 */
import { mkdir, rm, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectReader, PersistentVolumeClaim, Pod } from '@shoal/api';
import type { Logger } from '@shoal/log';
import {
  ContainerConfigError, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, LABEL_VOLUME_KIND, podDir, type ConfigResolver,
  type ContainerRuntime, type VolumePlan, planVolumes,
} from '@shoal/runtime';

/** Labels of a claim's volume: which claim it holds, and the store revision it was made at. */
export const LABEL_CLAIM_NAME = 'io.shoal.claim-name';
export const LABEL_CLAIM_UID = 'io.shoal.claim-uid';
export const LABEL_CLAIM_REVISION = 'io.shoal.claim-revision';

export function claimVolumeName(namespace: string, claim: string, claimUid: string): string {
  return `shoal-pv-${namespace}-${claim}-${claimUid}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** The claim a persistent plan mounts. */
function claimOfPlan(pod: Pod, plan: VolumePlan): string | undefined {
  return pod.spec?.volumes?.find((v) => v.name === plan.name)?.persistentVolumeClaim?.claimName;
}

/**
 * Creates what the pod's volumes need on this node. `claims` is the cluster
 * view the claims are read from: a claim that does not exist stops the pod
 * with a clear error (it waits, as for a missing ConfigMap).
 */
export async function prepareVolumes(runtime: ContainerRuntime, pod: Pod, dataDir: string, resolver: ConfigResolver, claims: ObjectReader): Promise<VolumePlan[]> {
  const plans = planVolumes(pod, dataDir, resolver);
  const uid = pod.metadata.uid ?? '';
  const ns = pod.metadata.namespace ?? 'default';
  for (const p of plans) {
    if (p.kind === 'dockerVolume') {
      let labels: Record<string, string>;
      if (p.persistent) {
        const name = claimOfPlan(pod, p) ?? '';
        const claim = claims.get<PersistentVolumeClaim>({ kind: 'PersistentVolumeClaim', namespace: ns, name });
        if (!claim?.metadata.uid) throw new ContainerConfigError(`volume ${p.name}: persistentvolumeclaim "${name}" not found`);
        p.volume = claimVolumeName(ns, name, claim.metadata.uid);
        labels = { [LABEL_VOLUME_KIND]: 'pv', [LABEL_POD_NAMESPACE]: ns, [LABEL_CLAIM_NAME]: name, [LABEL_CLAIM_UID]: claim.metadata.uid, [LABEL_CLAIM_REVISION]: String(claims.revision) };
      } else {
        labels = { [LABEL_VOLUME_KIND]: 'emptydir', [LABEL_POD_UID]: uid, [LABEL_POD_NAMESPACE]: ns, [LABEL_POD_NAME]: pod.metadata.name };
      }
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

/**
 * Removes this node's claim volumes whose claim no longer exists (deleted by
 * the user, by a retention policy, or with its namespace). Absence is trusted
 * only from a view at least as new as the one the volume was made from, so a
 * replica still catching up after a restart never removes live data. A volume
 * a container still mounts is left for a later pass. Returns the removed names.
 */
export async function removeReleasedVolumes(runtime: ContainerRuntime, claims: ObjectReader, log: Logger): Promise<string[]> {
  const live = new Set(claims.list<PersistentVolumeClaim>('PersistentVolumeClaim').map((c) => c.metadata.uid));
  const removed: string[] = [];
  for (const v of await runtime.listVolumes()) {
    const uid = v.labels[LABEL_CLAIM_UID];
    const madeAt = Number(v.labels[LABEL_CLAIM_REVISION]);
    if (v.labels[LABEL_VOLUME_KIND] !== 'pv' || !uid || live.has(uid)) continue;
    if (!Number.isFinite(madeAt) || claims.revision < madeAt) continue;
    try {
      await runtime.removeVolume(v.name);
      removed.push(v.name);
      log.info('claim volume removed', { volume: v.name, claim: `${v.labels[LABEL_POD_NAMESPACE] ?? ''}/${v.labels[LABEL_CLAIM_NAME] ?? ''}` });
    } catch (err) {
      log.debug('claim volume not removed yet', { volume: v.name, err: String(err) });
    }
  }
  return removed;
}
