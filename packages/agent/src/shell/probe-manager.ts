/**
 * Probe workers, one set per running container, with Kubernetes' fields and
 * defaults (initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 1,
 * successThreshold 1, failureThreshold 3). The startup probe gates the other
 * two: liveness and readiness begin only once it has succeeded. Results feed
 * the decision core as `ProbeResults`; a change calls `onChange`.
 */
import type { Container, Probe } from '@shoal/api';
import type { Logger } from '@shoal/log';
import type { ContainerRuntime } from '@shoal/runtime';
import type { ProbeResults } from '../core/types.js';
import { runCheck, type ProbeTarget } from './probe-check.js';

type Kind = 'startup' | 'liveness' | 'readiness';

interface Worker {
  kind: Kind;
  probe: Probe;
  successes: number;
  failures: number;
  /** startup/liveness: passed the threshold; readiness: currently ready. */
  passed: boolean;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

interface Entry {
  target: ProbeTarget;
  workers: Map<Kind, Worker>;
  results: ProbeResults;
}

export interface ProbeManagerConfig {
  runtime: ContainerRuntime;
  logger: Logger;
  onChange: () => void;
  /** Multiplies every probe period and delay (tests speed probes up). Default 1. */
  timeScale?: number;
}

export class ProbeManager {
  private readonly entries = new Map<string, Entry>();
  private readonly scale: number;

  constructor(private readonly cfg: ProbeManagerConfig) {
    this.scale = cfg.timeScale ?? 1;
  }

  /** Results for the core, by container id (only containers with probes). */
  results(): Map<string, ProbeResults> {
    const m = new Map<string, ProbeResults>();
    for (const [id, e] of this.entries) m.set(id, { ...e.results });
    return m;
  }

  /** Keeps workers for exactly `running` (container id -> target). */
  sync(running: ReadonlyMap<string, ProbeTarget>): void {
    for (const [id, e] of this.entries) {
      if (!running.has(id)) {
        for (const w of e.workers.values()) this.stopWorker(w);
        this.entries.delete(id);
      }
    }
    for (const [id, target] of running) {
      const existing = this.entries.get(id);
      if (existing) {
        existing.target = target; // the pod IP may have become known
        continue;
      }
      const c = target.container;
      if (!c.startupProbe && !c.livenessProbe && !c.readinessProbe) continue;
      const e: Entry = {
        target,
        workers: new Map(),
        results: { started: !c.startupProbe, ready: !c.readinessProbe && !c.startupProbe, livenessFailed: false },
      };
      this.entries.set(id, e);
      if (c.startupProbe) this.startWorker(e, 'startup', c.startupProbe);
      else this.startGated(e, c);
    }
  }

  stopAll(): void {
    for (const e of this.entries.values()) for (const w of e.workers.values()) this.stopWorker(w);
    this.entries.clear();
  }

  private startGated(e: Entry, c: Container): void {
    if (c.livenessProbe) this.startWorker(e, 'liveness', c.livenessProbe);
    if (c.readinessProbe) this.startWorker(e, 'readiness', c.readinessProbe);
    else if (!e.results.ready) this.set(e, { ready: true });
  }

  private startWorker(e: Entry, kind: Kind, probe: Probe): void {
    const w: Worker = { kind, probe, successes: 0, failures: 0, passed: false, stopped: false };
    e.workers.set(kind, w);
    const delay = (probe.initialDelaySeconds ?? 0) * 1000 * this.scale;
    w.timer = setTimeout(() => void this.tick(e, w), delay);
  }

  private stopWorker(w: Worker): void {
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
  }

  private set(e: Entry, patch: Partial<ProbeResults>): void {
    const before = JSON.stringify(e.results);
    Object.assign(e.results, patch);
    if (JSON.stringify(e.results) !== before) this.cfg.onChange();
  }

  private async tick(e: Entry, w: Worker): Promise<void> {
    if (w.stopped) return;
    const r = await runCheck(this.cfg.runtime, w.probe, e.target);
    if (w.stopped) return;
    const successThreshold = w.kind === 'readiness' ? (w.probe.successThreshold ?? 1) : 1;
    const failureThreshold = w.probe.failureThreshold ?? 3;
    if (r.ok) {
      w.failures = 0;
      w.successes++;
      if (w.successes >= successThreshold) w.passed = true;
    } else {
      w.successes = 0;
      w.failures++;
      if (w.failures >= failureThreshold) w.passed = false;
      this.cfg.logger.debug('probe failed', { probe: w.kind, container: e.target.container.name, id: e.target.containerId, message: r.message, failures: w.failures });
    }
    let next = true;
    if (w.kind === 'startup') {
      if (w.passed) {
        // Started: the startup probe retires and the others begin.
        next = false;
        e.workers.delete('startup');
        this.set(e, { started: true });
        this.startGated(e, e.target.container);
      } else if (w.failures >= failureThreshold) {
        this.set(e, { livenessFailed: true });
      }
    } else if (w.kind === 'liveness') {
      if (w.failures >= failureThreshold) {
        this.cfg.logger.info('liveness probe failed; container will be restarted', { container: e.target.container.name, id: e.target.containerId });
        this.set(e, { livenessFailed: true });
        next = false;
      }
    } else {
      if (w.passed && w.successes >= successThreshold) this.set(e, { ready: true });
      else if (w.failures >= failureThreshold) this.set(e, { ready: false });
    }
    if (next && !w.stopped) w.timer = setTimeout(() => void this.tick(e, w), (w.probe.periodSeconds ?? 10) * 1000 * this.scale);
  }
}
