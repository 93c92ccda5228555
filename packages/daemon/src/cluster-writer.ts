/**
 * The write path of one node: turns API requests and controller actions into
 * log commands and proposes them. This is where the values a command must
 * carry are chosen (uids, timestamps, generated name suffixes), so applying
 * stays deterministic. Any node may propose: Raft forwards to the leader and
 * the promise settles when this node has applied the entry.
 */
import { randomUUID } from 'node:crypto';
import type { Action, KubeObject } from '@shoal/api';
import type { ActionResult } from '@shoal/controllers';
import { commandForAction, encodeCommand, nameSuffixFrom, type ApplyCommand, type ApplyResult, type Command, type SingleCommand } from '@shoal/state';
import type { RaftNode } from '@shoal/raft';
import type { DaemonMetrics } from './metrics.js';

export interface WriterOptions {
  raft: RaftNode;
  metrics?: DaemonMetrics;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  timeoutMs?: number;
}

export class ClusterWriter {
  private readonly clock: () => number;

  constructor(private readonly o: WriterOptions) {
    this.clock = o.clock ?? Date.now;
  }

  private lastMs = NaN;
  private lastIso = '';

  /** RFC 3339 with milliseconds; formatted once per millisecond (every write asks). */
  now(): string {
    const ms = this.clock();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /** Propose one command; resolves with its result as applied on this node. */
  async propose(cmd: Command, timeoutMs = this.o.timeoutMs): Promise<ApplyResult> {
    try {
      const { result } = await this.o.raft.propose(encodeCommand(cmd), timeoutMs === undefined ? {} : { timeoutMs });
      this.o.metrics?.proposals.inc({ outcome: 'applied' });
      return result as ApplyResult;
    } catch (err) {
      this.o.metrics?.proposals.inc({ outcome: (err as Error).name });
      throw err;
    }
  }

  /** The command for a reconciler's or agent's action, with leader-chosen values filled in. */
  commandFor(action: Action): SingleCommand {
    return commandForAction(action, { uid: randomUUID, now: () => this.now(), nameSuffix: () => nameSuffixFrom(Math.random) });
  }

  /** Create-or-replace as one command, with the uid and timestamp a create would need. */
  applyCommand(object: KubeObject): ApplyCommand {
    return { type: 'apply', object, uid: randomUUID(), timestamp: this.now() };
  }

  /**
   * Execute actions as one log entry (a batch) and report each one's outcome
   * in the shape controllers expect. Proposal failures (no leader, timeout)
   * fail every action with Unavailable so the caller retries.
   */
  async execute(actions: Action[]): Promise<ActionResult[]> {
    if (actions.length === 0) return [];
    const cmds = actions.map((a) => this.commandFor(a));
    let result: ApplyResult;
    try {
      result = await this.propose(cmds.length === 1 ? cmds[0]! : { type: 'batch', commands: cmds });
    } catch (err) {
      return actions.map(() => ({ ok: false, code: 'Unavailable', message: (err as Error).message }));
    }
    const each = cmds.length === 1 ? [result] : result.ok ? (result.results ?? []) : actions.map(() => result);
    return each.map((r) => (r.ok ? { ok: true } : { ok: false, code: r.error.code === 'Precondition' ? 'Conflict' : r.error.code === 'Forbidden' ? 'Invalid' : r.error.code, message: r.error.message }));
  }
}
