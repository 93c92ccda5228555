/**
 * The node agent's shell: it reads the pods bound to this node, asks the
 * decision core what to do, does it through the runtime, runs probes and
 * reports statuses. One pod's actions run one at a time; pods proceed in
 * parallel. It survives its own restart: everything it needs to know about
 * running containers is in their labels, so a new Agent adopts them as they
 * are (same ids, same restart counts).
 */
import type { Readable } from 'node:stream';
import type { Container, NodeStatus, Pod, PodStatus } from '@shoal/api';
import { silentLogger, type Logger } from '@shoal/log';
import {
  buildContainerSpec, buildSandboxSpec, ContainerConfigError, ImageNotPresentError, terminationGraceSeconds,
  type ContainerInfo, type ContainerKind, type ContainerRuntime, type ExecResult, type SandboxInfo, type VolumePlan,
} from '@shoal/runtime';
import { decidePod } from '../core/decide-pod.js';
import { historyByName } from '../core/container-view.js';
import { orphanPlan, type OrphanAction } from '../core/orphans.js';
import type { AgentAction, CoreConfig, PodObservation, WaitingReason } from '../core/types.js';
import { resolveOptions, type AgentOptions, type ResolvedAgentOptions } from '../config.js';
import { ContainerNotChosenError, ContainerNotRunningError, NoPreviousInstanceError, PodNotOnNodeError } from '../errors.js';
import type { PodStatusUpdate } from '../source.js';
import { nodeStatus } from './node-status.js';
import { ProbeManager } from './probe-manager.js';
import { runCheck, type ProbeTarget } from './probe-check.js';
import { sourceResolver } from './resolver.js';
import { SerialWorkers } from './serial-workers.js';
import { StatusBatcher } from './status-batcher.js';
import { cleanupPodVolumes, prepareVolumes } from './volumes.js';

export interface LogsRequest {
  follow?: boolean;
  tail?: number;
  previous?: boolean;
}

/** Whether the container's env reads the pod IP (known only once the sandbox runs). */
function needsPodIP(c: Container): boolean {
  return (c.env ?? []).some((e) => e.valueFrom?.fieldRef?.fieldPath === 'status.podIP');
}

export class Agent {
  private readonly o: ResolvedAgentOptions;
  private readonly log: Logger;
  private readonly runtime: ContainerRuntime;
  private readonly core: CoreConfig;
  private readonly probes: ProbeManager;
  private readonly workers = new SerialWorkers();
  private readonly batcher: StatusBatcher;
  /** The status last computed per pod uid (lastTransitionTime and terminal phases stick). */
  private readonly lastStatus = new Map<string, PodStatus>();
  /** Why the last creation of a container failed: uid -> name -> reason. */
  private readonly waiting = new Map<string, Map<string, WaitingReason>>();
  private readonly volumes = new Map<string, VolumePlan[]>();
  private readonly unsubscribe: (() => void)[] = [];
  private running = false;
  private syncing: Promise<void> | undefined;
  private again = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private wakeTimer: { at: number; t: NodeJS.Timeout } | undefined;
  private nodeTimer: NodeJS.Timeout | undefined;
  private lastNode: NodeStatus | undefined;

  constructor(options: AgentOptions) {
    this.o = resolveOptions(options);
    this.runtime = this.o.runtime;
    this.log = (this.o.logger ?? silentLogger).child({ component: 'agent', node: this.o.nodeName });
    this.core = {
      backoffBaseMs: this.o.backoffBaseMs,
      backoffMaxMs: this.o.backoffMaxMs,
      backoffResetMs: this.o.backoffResetMs,
      hostIP: this.o.hostIP,
      idScheme: 'docker',
    };
    this.probes = new ProbeManager({ runtime: this.runtime, logger: this.log, onChange: () => this.kick(), timeScale: this.o.probeTimeScale });
    this.batcher = new StatusBatcher(this.o.sink, this.o.statusBatchMs, this.log);
  }

  get nodeName(): string {
    return this.o.nodeName;
  }

  /** Starts watching, syncing, probing and reporting. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe.push(this.o.source.onChange(() => this.kick()));
    this.unsubscribe.push(this.runtime.subscribe((e) => {
      this.log.debug('runtime event', { type: e.type, id: e.containerId, pod: e.podUid });
      this.kick();
    }));
    await this.reportNode();
    this.kick();
  }

  /**
   * Stops the agent, leaving containers as they are (a new agent adopts
   * them). Waits for the actions in flight and a last status flush.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of [this.resyncTimer, this.wakeTimer?.t, this.nodeTimer]) if (t) clearTimeout(t);
    this.resyncTimer = this.nodeTimer = this.wakeTimer = undefined;
    await this.syncing;
    await this.workers.drain();
    // After the last pass: a pass in flight could have started probe workers.
    this.probes.stopAll();
    await this.batcher.flush();
    await this.batcher.close();
  }

  /** One full pass now (tests); resolves after the pass, not after its actions. */
  async syncNow(): Promise<void> {
    this.kick();
    await this.syncing;
  }

  /** Waits until no pod has actions in flight (tests). */
  async idle(): Promise<void> {
    await this.syncing;
    await this.workers.drain();
    await this.syncing;
  }

  // ---------------------------------------------------------------- the loop

  /** Asks for a pass; passes never overlap, and a request during one runs another after it. */
  private kick(): void {
    if (!this.running) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    // setImmediate: a pass never starts inside the previous one's microtasks,
    // so timers (probes, batching) always get their turn.
    this.syncing = new Promise<void>((r) => setImmediate(r))
      .then(() => this.syncAll())
      .catch((err: unknown) => {
        this.log.error('sync failed', { err: String(err) });
        // Keep trying at the resync period even when a pass fails (engine down).
        this.schedule(Infinity, this.o.clock());
      })
      .finally(() => {
        this.syncing = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private desiredPods(): Pod[] {
    return this.o.source.list<Pod>('Pod').filter((p) => p.spec?.nodeName === this.o.nodeName && p.metadata.uid);
  }

  private async syncAll(): Promise<void> {
    const pods = this.desiredPods();
    const [sandboxes, containers] = await Promise.all([this.runtime.listSandboxes(), this.runtime.listContainers()]);
    const now = this.o.clock();
    const byUid = new Map<string, PodObservation>();
    const obs = (uid: string) => {
      let o = byUid.get(uid);
      if (!o) { o = { sandboxes: [], containers: [] }; byUid.set(uid, o); }
      return o;
    };
    for (const s of sandboxes) obs(s.pod.uid).sandboxes.push(s);
    for (const c of containers) obs(c.pod.uid).containers.push(c);

    // Probes follow the running containers of desired pods.
    const targets = new Map<string, ProbeTarget>();
    const desired = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata.uid ?? '';
      desired.add(uid);
      const o = byUid.get(uid);
      const ip = o?.sandboxes.find((s) => s.state === 'running')?.ip ?? (pod.spec?.hostNetwork ? this.o.hostIP || undefined : undefined);
      const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
      for (const c of o?.containers ?? []) {
        const spec = specs.find((s) => s.name === c.name);
        if (c.state !== 'running' || !spec || pod.metadata.deletionTimestamp) continue;
        const t: ProbeTarget = { containerId: c.id, container: spec };
        if (ip) t.podIP = ip;
        targets.set(c.id, t);
      }
    }
    if (!this.running) return;
    this.probes.sync(targets);
    const probeResults = this.probes.results();

    // Safety (StatefulSet fencing): a pod whose name still has containers of an
    // older incarnation (another uid) here waits until those are gone, so two
    // pods of one name never run on this node at once.
    const oldNames = new Set<string>();
    for (const [uid, o] of byUid) {
      if (desired.has(uid)) continue;
      for (const x of [...o.sandboxes, ...o.containers]) oldNames.add(`${x.pod.namespace}/${x.pod.name}`);
    }

    let wakeAt = Infinity;
    for (const pod of pods) {
      const uid = pod.metadata.uid ?? '';
      if (this.workers.isBusy(uid)) continue; // it will ask for another pass when done
      if (oldNames.has(`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`)) continue;
      const observed = byUid.get(uid) ?? { sandboxes: [], containers: [] };
      const previous = this.lastStatus.get(uid) ?? pod.status;
      const decision = decidePod({
        pod, observed, probes: probeResults, waiting: this.waiting.get(uid) ?? new Map(), now, config: this.core,
        ...(previous ? { previous } : {}),
      });
      this.lastStatus.set(uid, decision.status);
      if (!pod.metadata.deletionTimestamp || decision.actions.every((a) => a.type !== 'deletePod')) {
        this.batcher.offer({ namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, uid, status: decision.status });
      }
      if (decision.wakeAt !== undefined) wakeAt = Math.min(wakeAt, decision.wakeAt);
      if (decision.actions.length) {
        // A pod whose actions failed (or that waits for an image or config) is
        // retried at the next resync, not at once: no hot loop against the engine.
        let ok = true;
        this.workers.run(uid, async () => { ok = await this.execute(pod, decision.actions, observed); }, () => { if (ok) this.kick(); });
      }
    }

    for (const [uid, plan] of orphanPlan(desired, sandboxes, containers)) {
      this.workers.run(uid, () => this.executeOrphan(uid, plan), () => this.kick());
    }
    this.schedule(wakeAt, now);
  }

  private schedule(wakeAt: number, now: number): void {
    if (!this.running) return;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => this.kick(), this.o.resyncMs);
    if (wakeAt !== Infinity && (!this.wakeTimer || this.wakeTimer.at > wakeAt)) {
      if (this.wakeTimer) clearTimeout(this.wakeTimer.t);
      // A back-off ends: look again then (a few ms late, never early).
      const t = setTimeout(() => { this.wakeTimer = undefined; this.kick(); }, Math.max(0, wakeAt - now) + 5);
      this.wakeTimer = { at: wakeAt, t };
    }
  }

  // ---------------------------------------------------------------- doing

  private setWaiting(uid: string, name: string, w: WaitingReason | undefined): void {
    let m = this.waiting.get(uid);
    if (!w) { m?.delete(name); return; }
    if (!m) { m = new Map(); this.waiting.set(uid, m); }
    m.set(name, w);
  }

  /** Runs a pod's actions in order; false when one failed or a container could not be created. */
  private async execute(pod: Pod, actions: AgentAction[], observed: PodObservation): Promise<boolean> {
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
        this.lastStatus.delete(uid);
        this.batcher.forget(uid);
        this.log.info('pod removed', { pod: `${ns}/${pod.metadata.name}`, uid });
        return;
    }
  }

  private async podVolumes(pod: Pod): Promise<VolumePlan[]> {
    const uid = pod.metadata.uid ?? '';
    const plans = await prepareVolumes(this.runtime, pod, this.o.dataDir, sourceResolver(this.o.source));
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
      const r = await runCheck(this.runtime, { ...hook, timeoutSeconds: grace }, target);
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
      const r = await runCheck(this.runtime, { ...hook, timeoutSeconds: terminationGraceSeconds(pod) }, { containerId: id, container: c, ...(podIP ? { podIP } : {}) });
      if (!r.ok) {
        this.log.warn('postStart hook failed; stopping the container', { pod: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`, container: c.name, message: r.message });
        await this.runtime.stopContainer(id, terminationGraceSeconds(pod));
        return;
      }
    }
    this.log.info('container started', { pod: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`, container: c.name, kind, attempt });
  }

  private async executeOrphan(uid: string, plan: OrphanAction[]): Promise<void> {
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
    this.lastStatus.delete(uid);
    this.waiting.delete(uid);
    this.volumes.delete(uid);
    this.batcher.forget(uid);
  }

  private async reportNode(): Promise<void> {
    if (this.nodeTimer) clearTimeout(this.nodeTimer);
    const status = await nodeStatus({
      runtime: this.runtime, nodeName: this.o.nodeName, hostIP: this.o.hostIP, maxPods: this.o.maxPods,
      reservedCpuMillis: this.o.reservedCpuMillis, reservedMemoryBytes: this.o.reservedMemoryBytes,
      nowIso: new Date(this.o.clock()).toISOString(), ...(this.lastNode ? { previous: this.lastNode } : {}),
    });
    this.lastNode = status;
    await this.o.sink.updateNodeStatus(status).catch((err: unknown) => this.log.warn('node status report failed', { err: String(err) }));
    if (this.running) this.nodeTimer = setTimeout(() => void this.reportNode(), this.o.nodeStatusMs);
  }

  // ---------------------------------------------------------------- logs and exec

  private async pick(namespace: string, podName: string, container: string | undefined): Promise<{ name: string; current?: ContainerInfo; previous?: ContainerInfo }> {
    const pod = this.o.source.get<Pod>({ kind: 'Pod', namespace, name: podName });
    const all = (await this.runtime.listContainers()).filter((c) =>
      c.pod.namespace === namespace && c.pod.name === podName && (!pod?.metadata.uid || c.pod.uid === pod.metadata.uid));
    if (all.length === 0) throw new PodNotOnNodeError(namespace, podName, this.o.nodeName);
    const hist = historyByName(all);
    let name = container;
    if (!name) {
      const apps = pod?.spec?.containers.map((c) => c.name) ?? [...hist.keys()];
      if (apps.length !== 1) throw new ContainerNotChosenError(`pod ${namespace}/${podName} has several containers; choose one of: ${apps.join(', ')}`);
      name = apps[0]!;
    }
    const h = hist.get(name);
    if (!h) throw new ContainerNotChosenError(`pod ${namespace}/${podName} has no container ${name} on node ${this.o.nodeName}`);
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
    const phase = this.lastStatus.get(uid)?.phase;
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

export type { PodStatusUpdate };
