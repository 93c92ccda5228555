import type { Test } from 'tap';
import type { KubeObject } from '@shoal/api';
import { MemoryShoalServer, type MemoryShoalServerOptions } from '../src/testing/index.js';
import { ShoalClient, type ShoalClientOptions } from '../src/index.js';

/** A started MemoryShoalServer, stopped at teardown. */
export async function startServer(t: Test, opts: MemoryShoalServerOptions = {}): Promise<MemoryShoalServer> {
  const server = new MemoryShoalServer(opts);
  await server.start();
  t.teardown(() => server.stop());
  return server;
}

export function clientFor(t: Test, servers: string[], opts: ShoalClientOptions = {}): ShoalClient {
  const client = new ShoalClient({ timeoutMs: 3000, ...opts, servers });
  t.teardown(() => client.close());
  return client;
}

/** An address nothing listens on (a stopped node). */
export async function deadAddress(): Promise<string> {
  const s = new MemoryShoalServer();
  const addr = await s.start();
  s.stop();
  return addr;
}

export function configMap(name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) }, data } as KubeObject;
}
