/**
 * Which ConfigMaps, Secrets and claims the pods of one node name, kept up to
 * date from store changes, so the node's agent wakes for changes to those
 * and not for every ConfigMap written anywhere in the cluster (each agent
 * pass lists the node's containers from the engine).
 */
import { podReferences, type ObjectKey, type Pod } from '@shoal/api';

const podId = (k: ObjectKey): string => `${k.namespace}/${k.name}`;
const refId = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

export class PodReferenceIndex {
  /** This node's pods and what each refers to. */
  private readonly pods = new Map<string, string[]>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly nodeName: string, pods: Iterable<Pod> = []) {
    for (const p of pods) this.pod({ kind: 'Pod', namespace: p.metadata.namespace ?? '', name: p.metadata.name }, p);
  }

  /**
   * Records a pod's change (`pod` undefined: deleted). True when the pod is,
   * or was until now, on this node: the agent must hear of it.
   */
  pod(key: ObjectKey, pod: Pod | undefined): boolean {
    const id = podId(key);
    const before = this.pods.get(id);
    if (before) for (const r of before) this.count(r, -1);
    if (pod && pod.spec?.nodeName === this.nodeName) {
      const refs = podReferences(pod).map((r) => refId(r.kind, key.namespace, r.name));
      for (const r of refs) this.count(r, 1);
      this.pods.set(id, refs);
      return true;
    }
    this.pods.delete(id);
    return before !== undefined;
  }

  /** Whether a pod of this node names the object. */
  references(key: ObjectKey): boolean {
    return this.counts.has(refId(key.kind, key.namespace, key.name));
  }

  private count(ref: string, by: number): void {
    const n = (this.counts.get(ref) ?? 0) + by;
    if (n > 0) this.counts.set(ref, n);
    else this.counts.delete(ref);
  }
}
