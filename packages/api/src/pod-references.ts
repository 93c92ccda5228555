/**
 * The objects a pod's spec names in its own namespace: ConfigMaps and Secrets
 * (volumes, env valueFrom, envFrom) and PersistentVolumeClaims (volumes), of
 * its init and app containers. A node agent needs to hear about changes to
 * these, and to no other ConfigMap, Secret or claim.
 */
import type { Pod } from './types.js';

export interface PodReference {
  kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';
  name: string;
}

export function podReferences(pod: Pod): PodReference[] {
  const out = new Map<string, PodReference>();
  const add = (kind: PodReference['kind'], name: string | undefined): void => {
    if (name) out.set(`${kind}/${name}`, { kind, name });
  };
  const spec = pod.spec;
  if (!spec) return [];
  for (const v of spec.volumes ?? []) {
    add('ConfigMap', v.configMap?.name);
    add('Secret', v.secret?.secretName);
    add('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name);
      add('Secret', e.valueFrom?.secretKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('ConfigMap', e.configMapRef?.name);
      add('Secret', e.secretRef?.name);
    }
  }
  return [...out.values()];
}
