/**
 * The write path of one node: turns API requests and controller actions into
 * log commands and proposes them. This is where the values a command must
 * carry are chosen (uids, timestamps, generated name suffixes), so applying
 * stays deterministic. Any node may propose: Raft forwards to the leader and
 * the promise settles when this node has applied the entry.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Action } from '@shoal/api';
import type { ActionResult } from '@shoal/controllers';
import { encodeCommand, type ApplyResult, type Command, type SingleCommand } from '@shoal/state';
import type { RaftNode } from '@shoal/raft';
import type { DaemonMetrics } from './metrics.js';

/** Kubernetes' alphabet for generated names: no vowels, no look-alikes. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function nameSuffix(): string {
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return s;
}

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

  now(): string {
    return new Date(this.clock()).toISOString();
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
    const timestamp = this.now();
    switch (action.op) {
      case 'create': {
        const m = action.object.metadata;
        return {
          type: 'create',
          object: action.object,
          uid: randomUUID(),
          timestamp,
          ...(!m.name && m.generateName ? { nameSuffix: nameSuffix() } : {}),
        };
      }
      case 'update':
        return { type: 'update', object: action.object };
      case 'updateStatus':
        return { type: 'updateStatus', object: action.object };
      case 'delete':
        return {
          type: 'delete',
          key: action.key,
          timestamp,
          ...(action.propagationPolicy ? { propagationPolicy: action.propagationPolicy } : {}),
          ...(action.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: action.gracePeriodSeconds } : {}),
          ...(action.uid ? { uid: action.uid } : {}),
        };
      case 'bind':
        return { type: 'bind', key: action.key, nodeName: action.nodeName, ...(action.uid ? { uid: action.uid } : {}) };
    }
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
