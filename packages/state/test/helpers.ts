/** Builders for store tests: objects, commands and result unwrapping. */
import type { KubeObject, ObjectKey } from '@shoal/api';
import { ObjectStore, type ApplyResult, type Command, type ObjectStoreConfig, type StoreError, type StoredObject } from '../src/index.js';

export const T0 = '2026-01-01T00:00:00Z';

export function newStore(config: ObjectStoreConfig = {}): ObjectStore {
  return new ObjectStore(config);
}

export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; namespace?: string; owner?: string; finalizers?: string[] } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      ...(extra.namespace ? { namespace: extra.namespace } : {}),
      ...(extra.labels ? { labels: extra.labels } : {}),
      ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: extra.owner, controller: true }] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'shoal/busybox:latest' }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  };
}

export function configMap(name: string, data: Record<string, string> = { k: 'v' }, namespace?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data } as KubeObject;
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

export function replicaSet(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };
}

let uidCounter = 0;
export function create(object: KubeObject, uid = `uid-${++uidCounter}`, timestamp = T0, nameSuffix?: string): Command {
  return { type: 'create', object, uid, timestamp, ...(nameSuffix ? { nameSuffix } : {}) };
}

export const key = (kind: string, name: string, namespace = kind === 'Namespace' || kind === 'Node' ? '' : 'default'): ObjectKey => ({ kind, namespace, name });

/** The object of a successful result; fails the test's expectations loudly otherwise. */
export function ok(r: ApplyResult): StoredObject {
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  if (!r.object) throw new Error('expected an object in the result');
  return r.object;
}

export function err(r: ApplyResult): StoreError {
  if (r.ok) throw new Error(`expected a failure, got success at revision ${r.revision}`);
  return r.error;
}

/** A mutable deep copy of a stored object, for building updates. */
export function edit<T = KubeObject>(o: StoredObject | undefined): T & Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!o) throw new Error('no object to edit');
  return structuredClone(o) as T & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}
