/**
 * The node agent's shell: it reads the pods bound to this node, asks the
 * decision core what to do, does it through the runtime, runs probes and
 * reports statuses. One pod's actions run one at a time; pods proceed in
 * parallel. It survives its own restart: everything it needs to know about
 * running containers is in their labels, so a new Agent adopts them as they
 * are (same ids, same restart counts).
 */
import type { Readable } from 'node:stream';
import type { NodeStatus, Pod, PodStatus } from '@shoal/api';
import { silentLogger, type Logger } from '@shoal/log';
import type { ContainerRuntime, ExecResult } from '@shoal/runtime';
import { decidePod } from '../core/decide-pod.js';
import { orphanPlan } from '../core/orphans.js';
import type { CoreConfig, PodObservation } from '../core/types.js';
import { resolveOptions, type AgentOptions, type ResolvedAgentOptions } from '../config.js';
import type { PodStatusUpdate } from '../source.js';
import { nodeStatus } from './node-status.js';
import { PodActions } from './pod-actions.js';
import { PodIO, type LogsRequest } from './pod-io.js';
import { ProbeManager } from './probe-manager.js';
import type { ProbeTarget } from './probe-check.js';
import { SerialWorkers } from './serial-workers.js';
import { StatusBatcher } from './status-batcher.js';
import { removeReleasedVolumes } from './volumes.js';

export type { LogsRequest };

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
  private readonly actions: PodActions;
  private readonly io: PodIO;
  private readonly unsubscribe: (() => void)[] = [];
  private running = false;
  private syncing: Promise<void> | undefined;
  private again = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private wakeTimer: { at: number; t: NodeJS.Timeout } | undefined;
  private nodeTimer: NodeJS.Timeout | undefined;
  private lastNode: NodeStatus | undefined;
  private volumeGc = { claims: '', at: -Infinity };

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
    this.actions = new PodActions(this.o, this.core, this.log, (uid) => {
      this.lastStatus.delete(uid);
      this.batcher.forget(uid);
    });
    this.io = new PodIO(this.runtime, this.o.source, this.o.nodeName, (uid) => this.lastStatus.get(uid)?.phase);
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
        pod, observed, probes: probeResults, waiting: this.actions.waitingFor(uid), now, config: this.core,
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
        this.workers.run(uid, async () => { ok = await this.actions.execute(pod, decision.actions, observed); }, () => { if (ok) this.kick(); });
      }
    }

    for (const [uid, plan] of orphanPlan(desired, sandboxes, containers)) {
      this.workers.run(uid, () => this.actions.executeOrphan(uid, plan), () => this.kick());
    }
    this.collectVolumes(now);
    this.schedule(wakeAt, now);
  }

  /**
   * Volumes of deleted claims go, off the pods' path: when the claims in view
   * change, and at most once a resync period otherwise (a volume that was
   * still mounted is retried then).
   */
  private collectVolumes(now: number): void {
    const claims = this.o.source.list('PersistentVolumeClaim').map((c) => c.metadata.uid ?? '').sort().join(',');
    if (claims === this.volumeGc.claims && now - this.volumeGc.at < this.o.resyncMs) return;
    const started = this.workers.run('\0volumes', async () => {
      await removeReleasedVolumes(this.runtime, this.o.source, this.log).catch((err: unknown) => this.log.warn('volume collection failed', { err: String(err) }));
    }, () => this.kick());
    if (started) this.volumeGc = { claims, at: now };
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

  /** The container's log: the current instance, or the one before it with `previous`. */
  logs(namespace: string, pod: string, container: string | undefined, req: LogsRequest = {}): Promise<Readable> {
    return this.io.logs(namespace, pod, container, req);
  }

  /** Runs `cmd` in the running container; output and exit code. */
  exec(namespace: string, pod: string, container: string | undefined, cmd: string[]): Promise<ExecResult> {
    return this.io.exec(namespace, pod, container, cmd);
  }
}

export type { PodStatusUpdate };
