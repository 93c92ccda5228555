/**
 * PodService: logs and exec. The node that runs the pod answers from its
 * agent; any other node relays the call there, so a client may ask any node.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Pod } from '@shoal/api';
import type { Agent } from '@shoal/agent';
import { ShoalClient, type wire } from '@shoal/client';
import { NotFoundError, type ObjectStore } from '@shoal/state';
import { BadRequestError, NodeUnavailableError, RefusedError } from './errors.js';
import { serverStream, unary } from './handlers.js';
import type { ApiContext } from './context.js';

export interface PodServiceDeps {
  store: ObjectStore;
  nodeName: string;
  agent: () => Agent | undefined;
  /** API address of another node. */
  apiAddressOf: (node: string) => string | undefined;
}

export function podService(ctx: ApiContext, d: PodServiceDeps): { service: grpc.UntypedServiceImplementation; close(): void } {
  const clients = new Map<string, ShoalClient>();
  const clientFor = (node: string): ShoalClient => {
    const addr = d.apiAddressOf(node);
    if (!addr) throw new NodeUnavailableError(`the address of node ${node} is not known`);
    let c = clients.get(addr);
    // The caller's own deadline bounds a relayed call; this one only stops a lost relay.
    if (!c) clients.set(addr, (c = new ShoalClient({ servers: [addr], timeoutMs: 120_000 })));
    return c;
  };

  const locate = (namespace: string, name: string) => {
    if (!name) throw new BadRequestError('name', 'required');
    const key = { kind: 'Pod', namespace: namespace || 'default', name };
    const pod = d.store.get<Pod>(key);
    if (!pod) throw new NotFoundError(key);
    const node = pod.spec?.nodeName;
    if (!node) throw new RefusedError('Conflict', `pod ${key.namespace}/${name} is not bound to a node yet`);
    return { key, node };
  };

  const localAgent = (): Agent => {
    const a = d.agent();
    if (!a) throw new NodeUnavailableError(`node ${d.nodeName} runs no agent`);
    return a;
  };

  const close = () => {
    for (const c of clients.values()) c.close();
    clients.clear();
  };
  const service: grpc.UntypedServiceImplementation = {
    Logs: serverStream(ctx, 'Logs', async (call: grpc.ServerWritableStream<wire.LogsRequest, wire.LogChunk>) => {
      const req = call.request;
      const { key, node } = locate(req.namespace, req.name);
      const opts = {
        follow: req.follow,
        ...(req.tail_lines !== undefined && req.tail_lines !== null ? { tail: Number(req.tail_lines) } : {}),
        previous: req.previous,
      };
      if (node === d.nodeName) {
        const stream = await localAgent().logs(key.namespace, key.name, req.container || undefined, opts);
        call.on('cancelled', () => stream.destroy());
        for await (const chunk of stream) {
          if (call.cancelled) break;
          call.write({ data: chunk as Buffer, stream: 'stdout' });
        }
        return;
      }
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      const relayed = clientFor(node).logs(key.name, {
        namespace: key.namespace,
        ...(req.container ? { container: req.container } : {}),
        follow: req.follow,
        ...(opts.tail !== undefined ? { tailLines: opts.tail } : {}),
        previous: req.previous,
        signal: ac.signal,
      });
      for await (const chunk of relayed) {
        if (call.cancelled) break;
        call.write({ data: chunk.data, stream: chunk.stream });
      }
    }),

    Exec: unary(ctx, 'Exec', async (req: wire.ExecRequest): Promise<wire.ExecResponse> => {
      if (!req.command || req.command.length === 0) throw new BadRequestError('command', 'required');
      const { key, node } = locate(req.namespace, req.name);
      if (node === d.nodeName) {
        const r = await localAgent().exec(key.namespace, key.name, req.container || undefined, req.command);
        return { stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr), exit_code: r.exitCode };
      }
      const r = await clientFor(node).exec(key.name, req.command, { namespace: key.namespace, ...(req.container ? { container: req.container } : {}) });
      return { stdout: r.stdout, stderr: r.stderr, exit_code: r.exitCode };
    }),
  };
  return { service, close };
}
