/** Object keys and their string form (queue keys, map keys). */
import type { KubeObject, ObjectKey } from '@shoal/api';

export function keyOf(obj: KubeObject): ObjectKey {
  return { kind: obj.kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name };
}

export function keyString(k: ObjectKey): string {
  return `${k.kind}/${k.namespace}/${k.name}`;
}

export function namespaced(kind: string, namespace: string, name: string): ObjectKey {
  return { kind, namespace, name };
}
