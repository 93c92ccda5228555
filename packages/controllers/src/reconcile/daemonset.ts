/**
 * DaemonSet: one pod on every eligible node. A node is eligible when it
 * matches the template's nodeSelector and required node affinity and the pod
 * tolerates its NoSchedule/NoExecute taints. Daemon pods also tolerate the
 * not-ready taint and cordoning. Unlike Kubernetes they do not tolerate the
 * `node.kubernetes.io/unreachable` taint unless the template says so: a node
 * that gossip declares dead loses its daemon pod, which comes back when the
 * node does (the set follows live nodes). Each pod is pinned to its node
 * by required node affinity on `metadata.name` (the scheduler still checks
 * resources). Pods on nodes that are no longer eligible or no longer exist
 * are deleted. RollingUpdate replaces old pods node by node, never leaving
 * more than maxUnavailable nodes without an available pod; OnDelete waits
 * for the user. (maxSurge is not supported yet: it is treated as 0.)
 */
import type { Action, DaemonSet, DaemonSetStatus, Node, ObjectKey, ObjectReader, Pod, Toleration } from '@shoal/api';
import { firstUntoleratedTaint, matchesNodeRequirements } from '@shoal/scheduler';
import type { ReconcileContext, ReconcileResult } from './types.js';
import { eventAction } from './util/events.js';
import { deepEqual, encodeSuffix, templateHash } from './util/hash.js';
import { resolveIntOrPercent } from './util/int-or-percent.js';
import { isControlledBy } from './util/owners.js';
import { createdAt, isFinished, isPodAvailable, isPodReady, isTerminating, podFromTemplate } from './util/pods.js';

export const DAEMON_REVISION_LABEL = 'controller-revision-hash';

const DAEMON_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

function templatePod(ds: DaemonSet): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: ds.metadata.name }, spec: ds.spec!.template.spec };
}

export function nodeEligible(ds: DaemonSet, node: Node): boolean {
  const pod = templatePod(ds);
  if (!matchesNodeRequirements(pod, node.metadata.labels ?? {}, node.metadata.name)) return false;
  return firstUntoleratedTaint(node.spec?.taints ?? [], [...(ds.spec!.template.spec.tolerations ?? []), ...DAEMON_TOLERATIONS]) === undefined;
}

/** The node a daemon pod belongs to: its binding, or the node its affinity pins it to. */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const f = term.matchFields?.find((r) => r.key === 'metadata.name' && r.operator === 'In');
    if (f?.values?.length === 1) return f.values[0];
  }
  return undefined;
}

function daemonPod(ds: DaemonSet, node: string, name: string, revision: string): Pod {
  const pod = podFromTemplate(ds.spec!.template, { name, namespace: ds.metadata.namespace ?? 'default', owner: ds, labels: { [DAEMON_REVISION_LABEL]: revision } });
  const spec = pod.spec!;
  // Pin to the node, replacing any user node affinity (already satisfied by eligibility).
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } };
  const have = spec.tolerations ?? [];
  spec.tolerations = [...have, ...DAEMON_TOLERATIONS.filter((t) => !have.some((h) => h.key === t.key && h.effect === t.effect))];
  return pod;
}

function podName(ds: DaemonSet, node: string, view: ObjectReader): string {
  const ns = ds.metadata.namespace ?? 'default';
  for (let attempt = 0; ; attempt++) {
    const name = `${ds.metadata.name}-${encodeSuffix(`${ds.metadata.uid}/${node}/${attempt}`, 5)}`;
    if (!view.get({ kind: 'Pod', namespace: ns, name })) return name;
  }
}

export function reconcileDaemonSet(key: ObjectKey, view: ObjectReader, ctx: ReconcileContext): ReconcileResult {
  const ds = view.get<DaemonSet>(key);
  if (!ds || !ds.spec || isTerminating(ds)) return { actions: [] };
  const ns = ds.metadata.namespace ?? 'default';
  const minReady = ds.spec.minReadySeconds ?? 0;
  const revision = templateHash(ds.spec.template);
  const nodes = view.list<Node>('Node');
  const eligible = new Set(nodes.filter((n) => nodeEligible(ds, n)).map((n) => n.metadata.name));
  const pods = view.list<Pod>('Pod', { namespace: ns }).filter((p) => isControlledBy(p, ds));
  const podKey = (p: Pod): ObjectKey => ({ kind: 'Pod', namespace: ns, name: p.metadata.name });
  const actions: Action[] = [];
  const del = (p: Pod, why: string): void => {
    actions.push({ op: 'delete', key: podKey(p), uid: p.metadata.uid });
    actions.push(...eventAction(view, ctx, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name} (${why})`));
  };

  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    if (isTerminating(p)) continue;
    if (isFinished(p)) {
      actions.push({ op: 'delete', key: podKey(p), uid: p.metadata.uid, gracePeriodSeconds: 0 });
      continue;
    }
    const node = targetNode(p);
    if (!node || !eligible.has(node)) {
      del(p, node ? `node ${node} is gone or no longer eligible` : 'no node');
      continue;
    }
    byNode.set(node, [...(byNode.get(node) ?? []), p]);
  }
  const terminatingOn = new Set(pods.filter(isTerminating).map(targetNode));

  // One pod per eligible node: create the missing, keep the oldest of duplicates.
  const current = new Map<string, Pod>();
  for (const node of [...eligible].sort()) {
    const list = (byNode.get(node) ?? []).sort((a, b) => createdAt(a) - createdAt(b) || (a.metadata.name < b.metadata.name ? -1 : 1));
    if (list.length === 0) {
      // Wait for a terminating pod there to go, so two never run on one node.
      if (terminatingOn.has(node)) continue;
      const name = podName(ds, node, view);
      actions.push({ op: 'create', object: daemonPod(ds, node, name, revision) });
      actions.push(...eventAction(view, ctx, ds, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`));
      continue;
    }
    current.set(node, list[0]!);
    for (const extra of list.slice(1)) del(extra, 'duplicate on node');
  }

  // Rolling update: replace old pods while at most maxUnavailable nodes lack an available pod.
  const strategy = ds.spec.updateStrategy?.type ?? 'RollingUpdate';
  if (strategy === 'RollingUpdate') {
    const maxUnavailable = Math.max(1, resolveIntOrPercent(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable, 1, eligible.size, true));
    const available = (p: Pod | undefined): boolean => !!p && isPodAvailable(p, minReady, ctx.now);
    let unavailable = [...eligible].filter((n) => !available(current.get(n))).length;
    const old = [...current.entries()].filter(([, p]) => p.metadata.labels?.[DAEMON_REVISION_LABEL] !== revision).sort(([a], [b]) => (a < b ? -1 : 1));
    // Old pods that are unavailable anyway go first and cost nothing.
    for (const [node, p] of old) {
      if (!available(p)) {
        del(p, 'rolling update');
        current.delete(node);
      }
    }
    for (const [node, p] of old) {
      if (!current.has(node) || unavailable >= maxUnavailable) continue;
      del(p, 'rolling update');
      current.delete(node);
      unavailable++;
    }
  }

  const scheduled = [...eligible].filter((n) => (byNode.get(n) ?? []).length > 0);
  const live = pods.filter((p) => !isTerminating(p) && !isFinished(p));
  const status: DaemonSetStatus = {
    desiredNumberScheduled: eligible.size,
    currentNumberScheduled: scheduled.length,
    numberMisscheduled: live.filter((p) => !eligible.has(targetNode(p) ?? '')).length,
    numberReady: live.filter((p) => eligible.has(targetNode(p) ?? '') && isPodReady(p)).length,
    updatedNumberScheduled: live.filter((p) => eligible.has(targetNode(p) ?? '') && p.metadata.labels?.[DAEMON_REVISION_LABEL] === revision).length,
    numberAvailable: live.filter((p) => eligible.has(targetNode(p) ?? '') && isPodAvailable(p, minReady, ctx.now)).length,
    numberUnavailable: Math.max(0, eligible.size - live.filter((p) => eligible.has(targetNode(p) ?? '') && isPodAvailable(p, minReady, ctx.now)).length),
    observedGeneration: ds.metadata.generation,
  };
  if (!deepEqual(status, ds.status)) actions.push({ op: 'updateStatus', object: { ...ds, status } });
  return { actions };
}
