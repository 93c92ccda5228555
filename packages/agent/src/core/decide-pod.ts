/**
 * One pod's next steps and status. Level-triggered: it looks only at the
 * desired pod and what the runtime shows now, so running it twice, or after
 * an agent restart, gives the same answer. Order of a pod's life:
 *   sandbox -> init containers in order (native sidecars start and stay up)
 *   -> app containers -> restarts by policy with back-off -> terminal phase
 *   (sidecars and sandbox stopped) or, when deleted, everything stopped and
 *   removed, then `deletePod`.
 */
import type { Container, ContainerState, ContainerStatus, Pod, PodPhase, PodStatus } from '@shoal/api';
import { specHash, terminationGraceSeconds, LABEL_SPEC_HASH, type ContainerInfo, type ContainerKind } from '@shoal/runtime';
import { restartAt } from './backoff.js';
import { historyByName, splitSandboxes, type ContainerHistory } from './container-view.js';
import { condition, runningState, terminatedState } from './status.js';
import {
  NO_PROBES, type AgentAction, type CoreConfig, type PodDecision, type PodObservation, type ProbeResults, type WaitingReason,
} from './types.js';

export interface DecideInput {
  pod: Pod;
  observed: PodObservation;
  /** By container id; a running container missing here has no probes. */
  probes: ReadonlyMap<string, ProbeResults>;
  /** By container name: why its last creation failed. */
  waiting: ReadonlyMap<string, WaitingReason>;
  /** The status last reported (lastTransitionTime, startTime, podIP and terminal phases stick). */
  previous?: PodStatus;
  now: number;
  config: CoreConfig;
}

type RestartRule = 'Always' | 'OnFailure' | 'Never';

/** What to do with one container now. */
type Step =
  | { kind: 'start'; attempt: number }
  | { kind: 'backoff'; until: number }
  | { kind: 'running' }
  | { kind: 'kill'; reason: string }
  | { kind: 'stale' } // created but never started (agent died in between): remove it
  | { kind: 'done' }; // exited and will not restart

interface Look {
  c: Container;
  kind: ContainerKind;
  h: ContainerHistory;
  probe: ProbeResults;
  step: Step;
}

function mayRestart(last: ContainerInfo, rule: RestartRule): boolean {
  if (rule === 'Always') return true;
  if (rule === 'OnFailure') return last.exitCode !== 0 || last.oomKilled;
  return false;
}

export function decidePod(input: DecideInput): PodDecision {
  const { pod, observed, config, now, previous } = input;
  const spec = pod.spec ?? { containers: [] };
  const policy: RestartRule = spec.restartPolicy ?? 'Always';
  const grace = terminationGraceSeconds(pod);
  const nowIso = new Date(now).toISOString();
  const hist = historyByName(observed.containers);
  const sb = splitSandboxes(observed.sandboxes);
  const inits = spec.initContainers ?? [];
  const apps = spec.containers;
  const actions: AgentAction[] = [];
  const wakes: number[] = [];
  const kill = (c: ContainerInfo, reason: string) => actions.push({ type: 'killContainer', containerId: c.id, name: c.name, graceSeconds: grace, reason });

  // Garbage: attempts older than the previous one, and containers the spec no longer names.
  const known = new Set([...inits, ...apps].map((c) => c.name));
  for (const [name, h] of hist) {
    const garbage = known.has(name) ? h.older : [h.current, h.previous, ...h.older].filter((c): c is ContainerInfo => c !== undefined);
    for (const c of garbage) {
      if (c.state === 'running') kill(c, 'NotInSpec');
      actions.push({ type: 'removeContainer', containerId: c.id });
    }
  }

  const rule = (kind: ContainerKind): RestartRule => (kind === 'sidecar' ? 'Always' : kind === 'init' ? (policy === 'Never' ? 'Never' : 'OnFailure') : policy);

  const look = (c: Container, kind: ContainerKind): Look => {
    const h = hist.get(c.name) ?? { older: [] };
    const cur = h.current;
    const probe = cur?.state === 'running' ? (input.probes.get(cur.id) ?? NO_PROBES) : NO_PROBES;
    let step: Step;
    if (!cur) step = { kind: 'start', attempt: 0 };
    else if (cur.state === 'created' || cur.state === 'unknown') step = { kind: 'stale' };
    else if (cur.state === 'running') {
      const hash = cur.labels[LABEL_SPEC_HASH];
      if (hash !== undefined && hash !== specHash(c)) step = { kind: 'kill', reason: 'SpecChanged' };
      else if (probe.livenessFailed) step = { kind: 'kill', reason: 'LivenessProbeFailed' };
      else step = { kind: 'running' };
    } else if (mayRestart(cur, rule(kind))) {
      const at = restartAt(cur, config, now);
      step = now >= at ? { kind: 'start', attempt: cur.attempt + 1 } : { kind: 'backoff', until: at };
    } else step = { kind: 'done' };
    return { c, kind, h, probe, step };
  };

  const statusOf = (l: Look, gated: boolean): ContainerStatus => {
    const cur = l.h.current;
    const prev = l.h.previous;
    // A finished pod whose containers are gone (removed by hand, or with the
    // node's engine state) keeps the last state it reported: it ran, it will
    // not run again.
    const reported = !cur && terminalPrev
      ? [...(previous?.initContainerStatuses ?? []), ...(previous?.containerStatuses ?? [])].find((x) => x.name === l.c.name && x.state.terminated)
      : undefined;
    if (reported) return reported;
    const st: ContainerStatus = { name: l.c.name, state: {}, ready: false, restartCount: cur?.attempt ?? 0, image: l.c.image, started: false };
    let lastOf: ContainerInfo | undefined = prev?.state === 'exited' ? prev : undefined;
    const wait = input.waiting.get(l.c.name);
    if (cur?.state === 'running') {
      st.state = runningState(cur);
      st.started = l.probe.started;
      st.ready = l.probe.started && l.probe.ready && l.step.kind === 'running';
    } else if (cur?.state === 'exited' && l.step.kind === 'done') {
      st.state = terminatedState(cur, config.idScheme);
    } else if (cur?.state === 'exited') {
      lastOf = cur;
      st.state = l.step.kind === 'backoff'
        ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round((l.step.until - (Date.parse(cur.finishedAt ?? '') || now)) / 1000)}s restarting failed container=${l.c.name} pod=${pod.metadata.name}` } }
        : { waiting: wait ?? { reason: 'ContainerCreating' } };
    } else {
      st.state = { waiting: wait ?? { reason: gated ? 'PodInitializing' : 'ContainerCreating' } };
    }
    if (cur) st.containerID = `${config.idScheme}://${cur.id}`;
    if (lastOf) st.lastState = terminatedState(lastOf, config.idScheme);
    return st;
  };

  const terminalPrev = previous?.phase === 'Succeeded' || previous?.phase === 'Failed' ? previous.phase : undefined;
  const running = observed.containers.filter((c) => c.state === 'running');

  // ---------------------------------------------------------------- deletion
  if (pod.metadata.deletionTimestamp) {
    const appNames = new Set(apps.map((c) => c.name));
    const runningApps = running.filter((c) => appNames.has(c.name));
    // App containers stop first, then sidecars and init containers, then the sandbox.
    for (const c of runningApps) kill(c, 'Deleted');
    for (const c of running.filter((c) => !appNames.has(c.name))) kill(c, 'DeletedAfterApps');
    if (sb.live) actions.push({ type: 'killSandbox', sandboxId: sb.live.id, graceSeconds: grace });
    for (const c of observed.containers) actions.push({ type: 'removeContainer', containerId: c.id });
    for (const s of observed.sandboxes) actions.push({ type: 'removeSandbox', sandboxId: s.id });
    // Deletion already confirmed (grace period 0) and nothing left here: the pod only waits for
    // its finalizers (a Job counting it, say). Asking again would loop; there is nothing to do.
    const confirmed = pod.metadata.deletionGracePeriodSeconds === 0 && observed.containers.length === 0 && observed.sandboxes.length === 0;
    if (!confirmed) actions.push({ type: 'cleanupPod' }, { type: 'deletePod' });
    const looks = [...inits.map((c) => look(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init')), ...apps.map((c) => look(c, 'app'))];
    const status = buildStatus(previous?.phase ?? 'Pending', looks, true, false);
    return { actions: dedupe(actions), status };
  }

  // ---------------------------------------------------------------- sandbox
  for (const s of sb.stale) {
    if (s.state === 'running') actions.push({ type: 'killSandbox', sandboxId: s.id, graceSeconds: 0 });
  }
  if (!sb.live && !terminalPrev) {
    // The network namespace is gone (or never was): stop what still runs, then a new sandbox.
    for (const c of running) kill(c, 'SandboxChanged');
    for (const s of sb.stale) actions.push({ type: 'removeSandbox', sandboxId: s.id });
    actions.push({ type: 'createSandbox', attempt: sb.maxAttempt + 1 });
    const looks = [...inits.map((c) => look(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init')), ...apps.map((c) => look(c, 'app'))];
    const initPending = inits.some((c) => c.restartPolicy !== 'Always' && !(hist.get(c.name)?.current?.state === 'exited' && hist.get(c.name)?.current?.exitCode === 0));
    return { actions: dedupe(actions), status: buildStatus(previous?.phase === 'Running' ? 'Running' : 'Pending', looks, false, initPending) };
  }

  // ---------------------------------------------------------------- init containers, in order
  const anyAppSeen = apps.some((c) => hist.has(c.name));
  const starts: AgentAction[] = [];
  const initLooks: Look[] = [];
  let initDone = true;
  let initFailed = false;
  let blocked = false;
  const want = (l: Look) => {
    const s = l.step;
    if (s.kind === 'start' && sb.live) starts.push({ type: 'startContainer', container: l.c, kind: l.kind, attempt: s.attempt, sandboxId: sb.live.id });
    else if (s.kind === 'kill' && l.h.current) kill(l.h.current, s.reason);
    else if (s.kind === 'stale' && l.h.current) actions.push({ type: 'removeContainer', containerId: l.h.current.id });
    else if (s.kind === 'backoff') wakes.push(s.until);
  };
  for (const c of inits) {
    const l = look(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init');
    initLooks.push(l);
    if (blocked) continue;
    if (l.kind === 'sidecar') {
      want(l);
      // A native sidecar lets the next init container go once it has started;
      // after the pod initialized, its restarts no longer hold anything up.
      const up = l.h.current?.state === 'running' && l.probe.started;
      if (!up && !anyAppSeen) { blocked = true; initDone = false; }
      continue;
    }
    const cur = l.h.current;
    if (cur?.state === 'exited' && cur.exitCode === 0) continue;
    initDone = false;
    blocked = true;
    if (l.step.kind === 'done') initFailed = true; // failed and may not restart (restartPolicy Never)
    else want(l);
  }

  // ---------------------------------------------------------------- app containers
  const appLooks = apps.map((c) => look(c, 'app'));
  if (initDone) for (const l of appLooks) want(l);

  // ---------------------------------------------------------------- phase
  // activeDeadlineSeconds counts from the pod's start on this node.
  const started = Date.parse(previous?.startTime ?? nowIso);
  const deadline = spec.activeDeadlineSeconds !== undefined ? started + spec.activeDeadlineSeconds * 1000 : undefined;
  const overdue = deadline !== undefined && now >= deadline;
  if (deadline !== undefined && !overdue) wakes.push(deadline);
  let phase: PodPhase;
  if (terminalPrev) phase = terminalPrev;
  else if (overdue) phase = 'Failed';
  else if (initFailed) phase = 'Failed';
  else if (!initDone) phase = 'Pending';
  else if (policy !== 'Always' && appLooks.every((l) => l.step.kind === 'done')) {
    phase = appLooks.every((l) => l.h.current?.exitCode === 0) ? 'Succeeded' : 'Failed';
  } else if (appLooks.every((l) => l.h.current !== undefined)) phase = 'Running';
  else phase = 'Pending';

  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (terminal) {
    // Finished: nothing restarts; stop sidecars (a Job's pod completes even
    // though its sidecar would run forever) and release the network namespace.
    for (const c of running) kill(c, 'PodCompleted');
    if (sb.live) actions.push({ type: 'killSandbox', sandboxId: sb.live.id, graceSeconds: grace });
  } else {
    actions.push(...starts);
  }
  const status = buildStatus(phase, [...initLooks, ...appLooks], false, !initDone);
  if (terminalPrev && previous?.reason) {
    status.reason = previous.reason;
    if (previous.message) status.message = previous.message;
  } else if (overdue) {
    status.reason = 'DeadlineExceeded';
    status.message = `Pod was active on the node longer than the specified deadline (${spec.activeDeadlineSeconds}s)`;
  }
  const decision: PodDecision = { actions: dedupe(actions), status };
  if (!terminal && wakes.length) decision.wakeAt = Math.min(...wakes);
  return decision;

  function buildStatus(ph: PodPhase, looks: Look[], deleting: boolean, gated: boolean): PodStatus {
    const initNames = new Set(inits.map((c) => c.name));
    const initStatuses = looks.filter((l) => initNames.has(l.c.name)).map((l) => statusOf(l, false));
    const appStatuses = looks.filter((l) => !initNames.has(l.c.name)).map((l) => statusOf(l, gated));
    const unready = appStatuses.filter((s) => !s.ready).map((s) => s.name);
    const isTerminal = ph === 'Succeeded' || ph === 'Failed';
    const initialized = !gated;
    const ready = unready.length === 0 && !isTerminal && !deleting;
    const notReadyReason = isTerminal ? 'PodCompleted' : 'ContainersNotReady';
    const notReadyMsg = isTerminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
    const st: PodStatus = {
      phase: ph,
      conditions: [
        condition('PodScheduled', true, previous, nowIso),
        condition('Initialized', initialized, previous, nowIso, initialized ? undefined : 'ContainersNotInitialized'),
        condition('ContainersReady', ready, previous, nowIso, ready ? undefined : notReadyReason, ready ? undefined : notReadyMsg),
        condition('Ready', ready, previous, nowIso, ready ? undefined : notReadyReason, ready ? undefined : notReadyMsg),
      ],
      containerStatuses: appStatuses,
      startTime: previous?.startTime ?? nowIso,
    };
    if (config.hostIP) st.hostIP = config.hostIP;
    // hostNetwork pods have no address of their own: they use the node's.
    const ip = sb.live?.ip ?? (spec.hostNetwork && sb.live && config.hostIP ? config.hostIP : undefined) ?? previous?.podIP;
    if (ip) {
      st.podIP = ip;
      st.podIPs = [{ ip }];
    }
    if (initStatuses.length) st.initContainerStatuses = initStatuses;
    return st;
  }
}

/** The same kill or removal asked twice (garbage and step) happens once. */
function dedupe(actions: AgentAction[]): AgentAction[] {
  const seen = new Set<string>();
  return actions.filter((a) => {
    const key = a.type === 'killContainer' || a.type === 'removeContainer' ? `${a.type}:${a.containerId}`
      : a.type === 'killSandbox' || a.type === 'removeSandbox' ? `${a.type}:${a.sandboxId}` : undefined;
    if (key === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type { ContainerState };
