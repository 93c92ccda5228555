/** Pods and cleanup shared by the agent's unit and end-to-end tests. */
import type { Pod, PodSpec, PodStatus } from '@shoal/api';
import type { MemoryAgentSink } from '@shoal/agent';

let seq = 0;

export function makePod(name: string, nodeName: string, spec: Omit<PodSpec, 'nodeName'>, namespace = 'default'): Pod {
  seq++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    // The first 8 characters name containers: keep them unique per pod.
    metadata: { name, namespace, uid: `${seq.toString(36).padStart(3, '0')}${process.pid.toString(36).slice(-5)}-${name}-${Date.now().toString(36)}` },
    spec: { ...spec, nodeName },
  };
}

export function cond(s: PodStatus | undefined, type: string): string | undefined {
  return s?.conditions?.find((c) => c.type === type)?.status;
}

/** Waits for a reported status of `pod` satisfying `pred`. */
export function statusWhere(sink: MemoryAgentSink, pod: Pod, what: string, pred: (s: PodStatus) => boolean, timeoutMs = 30_000): Promise<PodStatus> {
  return sink.waitFor(what, () => {
    const s = sink.latest(pod.metadata.uid ?? '')?.status;
    return s && pred(s) ? s : undefined;
  }, timeoutMs);
}

/** Every status reported for `pod`, oldest first. */
export function history(sink: MemoryAgentSink, pod: Pod): PodStatus[] {
  return sink.batches.flatMap((b) => b.filter((u) => u.uid === pod.metadata.uid).map((u) => u.status));
}
