/**
 * Carries out the decision core's actions for one pod through the runtime:
 * sandbox creation (with the first containers created while it starts),
 * container creation and start (env, volumes, lifecycle hooks), stops with
 * preStop and grace, removals, volume cleanup, and the final deletePod.
 * Also the cleanup of orphans. Remembers why a container could not be
 * created, for the next decision.
 */
import type { Container, Pod } from '@shoal/api';
import type { Logger } from '@shoal/log';
import {
  buildContainerSpec, buildSandboxSpec, ContainerConfigError, ImageNotPresentError, terminationGraceSeconds,
  type ContainerKind, type ContainerRuntime, type SandboxInfo, type VolumePlan,
} from '@shoal/runtime';
import { decidePod } from '../core/decide-pod.js';
import type { OrphanAction } from '../core/orphans.js';
import type { AgentAction, CoreConfig, PodObservation, WaitingReason } from '../core/types.js';
import type { ResolvedAgentOptions } from '../config.js';
import { runHook, type ProbeTarget } from './probe-check.js';
import { sourceResolver } from './resolver.js';
import { cleanupPodVolumes, prepareVolumes } from './volumes.js';

/** Whether the container's env reads the pod IP (known only once the sandbox runs). */
function needsPodIP(c: Container): boolean {
  return (c.env ?? []).some((e) => e.valueFrom?.fieldRef?.fieldPath === 'status.podIP');
}

export class PodActions {
  /** Why the last creation of a container failed: uid -> name -> reason. */
  private readonly waiting = new Map<string, Map<string, WaitingReason>>();
  private readonly volumes = new Map<string, VolumePlan[]>();
  private readonly runtime: ContainerRuntime;

  constructor(
    private readonly o: ResolvedAgentOptions,
    private readonly core: CoreConfig,
    private readonly log: Logger,
    /** Called once a pod is gone from this node (deleted or orphaned). */
    private readonly onPodGone: (uid: string) => void,
  ) {
    this.runtime = o.runtime;
  }

  /** Creation failures of the pod's containers, by name. */
  waitingFor(uid: string): ReadonlyMap<string, WaitingReason> {
    return this.waiting.get(uid) ?? new Map();
  }

  private setWaiting(uid: string, name: string, w: WaitingReason | undefined): void {
    let m = this.waiting.get(uid);
    if (!w) { m?.delete(name); return; }
    if (!m) { m = new Map(); this.waiting.set(uid, m); }
    m.set(name, w);
  }

  /** Runs a pod's actions in order; false when one failed or a container could not be created. */
  async execute(pod: Pod, actions: AgentAction[], observed: PodObservation): Promise<boolean> {
    const uid = pod.metadata.uid ?? '';
    const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
    try {
      for (let i = 0; i < actions.length; i++) {
        const a = actions[i]!;
        if (a.type === 'killContainer') {
          // Consecutive kills for the same reason run together (each waits its grace period).
          const group = [a];
          while (actions[i + 1]?.type === 'killContainer' && (actions[i + 1] as typeof a).reason === a.reason) group.push(actions[++i] as typeof a);
          for (const k of group) this.log.info('stopping container', { pod: key, container: k.name, reason: k.reason, grace: k.graceSeconds });
          await Promise.all(group.map((k) => this.killContainer(pod, k, observed)));
          continue;
        }
        await this.executeOne(pod, a, observed);
      }
    } catch (err) {
      this.log.warn('pod action failed', { pod: key, uid, err: String(err) });
      return false;
    }
    return (this.waiting.get(uid)?.size ?? 0) === 0;
  }

  private async executeOne(pod: Pod, a: AgentAction, observed: PodObservation): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    switch (a.type) {
      case 'createSandbox':
        await this.createSandbox(pod, a.attempt, observed);
        return;
      case 'startContainer':
        await this.startContainer(pod, a.container, a.kind, a.attempt, observed.sandboxes.find((s) => s.id === a.sandboxId));
        return;
      case 'killContainer':
        await this.killContainer(pod, a, observed);
        return;
      case 'removeContainer':
        await this.runtime.removeContainer(a.containerId);
        return;
      case 'killSandbox':
        await this.runtime.stopSandbox(a.sandboxId, a.graceSeconds);
        return;
      case 'removeSandbox':
        await this.runtime.removeSandbox(a.sandboxId);
        return;
      case 'cleanupPod':
        await cleanupPodVolumes(this.runtime, uid, this.o.dataDir);
        this.volumes.delete(uid);
        this.waiting.delete(uid);
        return;
      case 'deletePod':
        await this.o.sink.deletePod(ns, pod.metadata.name, uid);
        this.onPodGone(uid);
        this.log.info('pod removed', { pod: `${ns}/${pod.metadata.name}`, uid });
        return;
    }
  }

  private async podVolumes(pod: Pod): Promise<VolumePlan[]> {
    const uid = pod.metadata.uid ?? '';
    const plans = await prepareVolumes(this.runtime, pod, this.o.dataDir, sourceResolver(this.o.source), this.o.source);
    this.volumes.set(uid, plans);
    return plans;
  }

  /**
   * Stops a container: its preStop hook first (bounded by the grace period),
   * then SIGTERM with what is left of the grace period, then SIGKILL.
   */
  private async killContainer(pod: Pod, k: Extract<AgentAction, { type: 'killContainer' }>, observed: PodObservation): Promise<void> {
    const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === k.name);
    const hook = spec?.lifecycle?.preStop;
    let grace = k.graceSeconds;
    // No hook for a container the spec no longer names or whose namespace is gone.
    if (spec && hook && k.reason !== 'NotInSpec' && k.reason !== 'SandboxChanged' && grace > 0) {
      const t0 = this.o.clock();
      const target: ProbeTarget = { containerId: k.containerId, container: spec };
      const ip = observed.sandboxes.find((s) => s.state === 'running')?.ip ?? (pod.spec?.hostNetwork ? this.o.hostIP : undefined);
      if (ip) target.podIP = ip;
      const r = await runHook(this.runtime, hook, grace, target);
      if (!r.ok) this.log.warn('preStop hook failed', { pod: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`, container: k.name, message: r.message });
      grace = Math.max(0, grace - (this.o.clock() - t0) / 1000);
    }
    await this.runtime.stopContainer(k.containerId, grace);
  }

  /**
   * Creates the sandbox and, for a pod starting from nothing, creates the
   * first containers while the sandbox starts (they only need it to exist),
   * then starts them once it runs: one engine round trip less per pod start.
   * Containers whose env needs the pod IP wait for the next pass.
   */
  private async createSandbox(pod: Pod, attempt: number, observed: PodObservation): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    await this.podVolumes(pod);
    const dns = this.o.hooks?.dns?.(pod);
    const spec = buildSandboxSpec(pod, { nodeName: this.o.nodeName, attempt, ...(dns ? { dns } : {}) });
    const id = await this.runtime.createSandbox(spec);
    let early: Extract<AgentAction, { type: 'startContainer' }>[] = [];
    if (observed.containers.length === 0) {
      const provisional: SandboxInfo = { id, pod: spec.pod, attempt, state: 'running', labels: {}, createdAt: '' };
      const d = decidePod({ pod, observed: { sandboxes: [provisional], containers: [] }, probes: new Map(), waiting: new Map(), now: this.o.clock(), config: this.core });
      early = d.actions.filter((x): x is Extract<AgentAction, { type: 'startContainer' }> => x.type === 'startContainer' && !needsPodIP(x.container));
    }
    const [sandbox, created] = await Promise.all([
      this.runtime.startSandbox(id),
      Promise.all(early.map((x) => this.createFor(pod, x.container, x.kind, x.attempt, { id }))),
    ]);
    this.log.info('pod sandbox running', { pod: `${ns}/${pod.metadata.name}`, ip: sandbox.ip, attempt });
    await Promise.all(early.map((x, i) => (created[i] ? this.startCreated(pod, x.container, x.kind, x.attempt, created[i], sandbox.ip) : undefined)));
  }

  private async startContainer(pod: Pod, c: Container, kind: ContainerKind, attempt: number, sandbox: SandboxInfo | undefined): Promise<void> {
    if (!sandbox) return;
    const id = await this.createFor(pod, c, kind, attempt, sandbox);
    if (id) await this.startCreated(pod, c, kind, attempt, id, sandbox.ip ?? (pod.spec?.hostNetwork ? this.o.hostIP : undefined));
  }

  /** Creates the container; undefined (and a waiting reason) when it cannot be. */
  private async createFor(pod: Pod, c: Container, kind: ContainerKind, attempt: number, sandbox: { id: string; ip?: string }): Promise<string | undefined> {
    const uid = pod.metadata.uid ?? '';
    if (!(await this.runtime.hasImage(c.image))) {
      // No registry is reachable: every pull policy uses local images only.
      const policy = c.imagePullPolicy ?? 'IfNotPresent';
      this.setWaiting(uid, c.name, {
        reason: 'ErrImageNeverPull',
        message: policy === 'Never'
          ? `Container image "${c.image}" is not present with pull policy of Never`
          : `Container image "${c.image}" is not present on node ${this.o.nodeName} and no registry is reachable (pull policy ${policy} is served from local images)`,
      });
      return undefined;
    }
    try {
      const volumes = this.volumes.get(uid) ?? (await this.podVolumes(pod));
      const serviceEnv = this.o.hooks?.serviceEnv?.(pod) ?? [];
      const podIP = sandbox.ip ?? (pod.spec?.hostNetwork ? this.o.hostIP : undefined);
      const env = { nodeName: this.o.nodeName, serviceEnv, resolver: sourceResolver(this.o.source), hostIP: this.o.hostIP, ...(podIP ? { podIP } : {}) };
      const spec = buildContainerSpec(pod, c, { kind, attempt, nodeName: this.o.nodeName, env, volumes });
      return await this.runtime.createContainer(sandbox.id, spec);
    } catch (err) {
      if (err instanceof ContainerConfigError) {
        this.setWaiting(uid, c.name, { reason: 'CreateContainerConfigError', message: err.message });
        return undefined;
      }
      if (err instanceof ImageNotPresentError) {
        this.setWaiting(uid, c.name, { reason: 'ErrImageNeverPull', message: `Container image "${err.image}" is not present` });
        return undefined;
      }
      this.setWaiting(uid, c.name, { reason: 'CreateContainerError', message: (err as Error).message });
      throw err;
    }
  }

  private async startCreated(pod: Pod, c: Container, kind: ContainerKind, attempt: number, id: string, podIP?: string): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    try {
      await this.runtime.startContainer(id);
    } catch (err) {
      await this.runtime.removeContainer(id).catch(() => undefined);
      this.setWaiting(uid, c.name, { reason: 'RunContainerError', message: (err as Error).message });
      throw err;
    }
    this.setWaiting(uid, c.name, undefined);
    const hook = c.lifecycle?.postStart;
    if (hook) {
      // Kubernetes: the container counts as started once postStart returns; if it fails, the container is killed.
      const r = await runHook(this.runtime, hook, terminationGraceSeconds(pod), { containerId: id, container: c, ...(podIP ? { podIP } : {}) });
      if (!r.ok) {
        this.log.warn('postStart hook failed; stopping the container', { pod: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`, container: c.name, message: r.message });
        await this.runtime.stopContainer(id, terminationGraceSeconds(pod));
        return;
      }
    }
    this.log.info('container started', { pod: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`, container: c.name, kind, attempt });
  }

  async executeOrphan(uid: string, plan: OrphanAction[]): Promise<void> {
    try {
      const kills = plan.filter((a) => a.type === 'killContainer');
      await Promise.all(kills.map((k) => this.runtime.stopContainer(k.containerId, k.graceSeconds)));
      for (const a of plan) {
        if (a.type === 'killSandbox') await this.runtime.stopSandbox(a.sandboxId, a.graceSeconds);
        else if (a.type === 'removeContainer') await this.runtime.removeContainer(a.containerId);
        else if (a.type === 'removeSandbox') await this.runtime.removeSandbox(a.sandboxId);
        else if (a.type === 'cleanupPod') await cleanupPodVolumes(this.runtime, uid, this.o.dataDir);
      }
      this.log.info('removed containers of a pod no longer on this node', { uid, steps: plan.length });
    } catch (err) {
      this.log.warn('orphan cleanup failed', { uid, err: String(err) });
    }
    this.waiting.delete(uid);
    this.volumes.delete(uid);
    this.onPodGone(uid);
  }

}
