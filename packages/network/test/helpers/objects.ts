/** Test objects and an in-memory ObjectReader over a list of them. */
import type { Endpoints, KubeObject, ListOptions, ObjectKey, ObjectReader, Pod, Service } from '@shoal/api';

export class MemoryReader implements ObjectReader {
  revision = 1;
  constructor(public objects: KubeObject[] = []) {}
  get<T extends KubeObject = KubeObject>(key: ObjectKey): T | undefined {
    return this.objects.find((o) => o.kind === key.kind && (o.metadata.namespace ?? '') === key.namespace && o.metadata.name === key.name) as T | undefined;
  }
  list<T extends KubeObject = KubeObject>(kind: string, opts?: ListOptions): T[] {
    return this.objects.filter((o) => o.kind === kind && (opts?.namespace === undefined || o.metadata.namespace === opts.namespace)) as T[];
  }
  /** Replace the object with the same kind/namespace/name, or add it. */
  put(obj: KubeObject): void {
    this.objects = this.objects.filter((o) => !(o.kind === obj.kind && o.metadata.namespace === obj.metadata.namespace && o.metadata.name === obj.metadata.name));
    this.objects.push(obj);
    this.revision++;
  }
}

export function service(name: string, spec: Service['spec'], namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

export function endpoints(name: string, subsets: Endpoints['subsets'], namespace = 'default'): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace }, subsets };
}

export function pod(name: string, spec: Partial<Pod['spec']> = {}, namespace = 'default'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [], ...spec } };
}
