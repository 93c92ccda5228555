/** Option sets and helpers shared by several commands. */
import type { Argv } from 'yargs';
import type { KubeObject } from '@shoal/api';
import type { GlobalFlags } from '../context.js';

export interface NamespacedFlags extends GlobalFlags {
  'all-namespaces'?: boolean;
}

/** -A / --all-namespaces. */
export function withAllNamespaces<T>(y: Argv<T>): Argv<T & { 'all-namespaces': boolean }> {
  return y.option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'across every namespace' });
}

/** Namespace to send for a kind: '' for cluster-scoped kinds. */
export function namespaceFor(namespaced: boolean, ns: string): string {
  return namespaced ? ns : '';
}

export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted ?? false;
}

/** "namespace/name" or "name". */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
