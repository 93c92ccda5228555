/** Logs and exec for the daemon: find a pod's container on this node and reach it. */
import type { Readable } from 'node:stream';
import type { Pod, PodPhase } from '@shoal/api';
import type { ContainerInfo, ContainerRuntime, ExecResult } from '@shoal/runtime';
import { historyByName } from '../core/container-view.js';
import { ContainerNotChosenError, ContainerNotRunningError, NoPreviousInstanceError, PodNotOnNodeError } from '../errors.js';
import type { AgentSource } from '../source.js';

export interface LogsRequest {
  follow?: boolean;
  tail?: number;
  previous?: boolean;
}

export class PodIO {
  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly source: AgentSource,
    private readonly nodeName: string,
    /** The phase the agent last computed for a pod uid. */
    private readonly phaseOf: (uid: string) => PodPhase | undefined,
  ) {}

  private async pick(namespace: string, podName: string, container: string | undefined): Promise<{ name: string; current?: ContainerInfo; previous?: ContainerInfo }> {
    const pod = this.source.get<Pod>({ kind: 'Pod', namespace, name: podName });
    const all = (await this.runtime.listContainers()).filter((c) =>
      c.pod.namespace === namespace && c.pod.name === podName && (!pod?.metadata.uid || c.pod.uid === pod.metadata.uid));
    if (all.length === 0) throw new PodNotOnNodeError(namespace, podName, this.nodeName);
    const hist = historyByName(all);
    let name = container;
    if (!name) {
      const apps = pod?.spec?.containers.map((c) => c.name) ?? [...hist.keys()];
      if (apps.length !== 1) throw new ContainerNotChosenError(`pod ${namespace}/${podName} has several containers; choose one of: ${apps.join(', ')}`);
      name = apps[0]!;
    }
    const h = hist.get(name);
    if (!h) throw new ContainerNotChosenError(`pod ${namespace}/${podName} has no container ${name} on node ${this.nodeName}`);
    const out: { name: string; current?: ContainerInfo; previous?: ContainerInfo } = { name };
    if (h.current) out.current = h.current;
    if (h.previous) out.previous = h.previous;
    return out;
  }

  /** The container's log: the current instance, or the one before it with `previous`. */
  async logs(namespace: string, pod: string, container: string | undefined, req: LogsRequest = {}): Promise<Readable> {
    const p = await this.pick(namespace, pod, container);
    // As Kubernetes: while a restart is pending (back-off), the newest instance
    // has ended and is the "previous" one; plain logs still show it.
    const uid = p.current?.pod.uid ?? '';
    const phase = this.phaseOf(uid);
    const restartPending = p.current?.state === 'exited' && (phase === 'Running' || phase === 'Pending');
    const target = req.previous ? (restartPending ? p.current : p.previous) : p.current;
    if (!target) throw new NoPreviousInstanceError(namespace, pod, p.name);
    return this.runtime.logs(target.id, { follow: req.follow ?? false, ...(req.tail !== undefined ? { tail: req.tail } : {}) });
  }

  /** Runs `cmd` in the running container; output and exit code. */
  async exec(namespace: string, pod: string, container: string | undefined, cmd: string[]): Promise<ExecResult> {
    const p = await this.pick(namespace, pod, container);
    if (p.current?.state !== 'running') throw new ContainerNotRunningError(namespace, pod, p.name);
    return this.runtime.exec(p.current.id, cmd);
  }
}

