/**
 * Linearizability checking by Wing & Gong's search with Lowe's memoization
 * (the approach Porcupine takes), on one key at a time: a history of a
 * key-value store is linearizable iff each key's sub-history is, because
 * every operation touches exactly one key.
 */
import type { Operation } from './history.js';
import { INITIAL, step, stateKey, type KeyState } from './model.js';

export type Verdict = 'ok' | 'violation' | 'timeout';

export interface KeyResult {
  key: string;
  verdict: Verdict;
  operations: number;
  /** On violation: the longest prefix the search could linearize, in order. */
  longestLinearization?: Operation[];
  /** On violation: operations that could not follow that prefix. */
  stuck?: Operation[];
}

export interface CheckResult {
  verdict: Verdict;
  keys: KeyResult[];
  operations: number;
}

export interface CheckOptions {
  /** Search steps allowed per key before giving up with `timeout`. */
  maxStepsPerKey?: number;
}

interface Node {
  op: number;
  isCall: boolean;
  time: number;
  match?: Node; // call -> its return
  prev?: Node;
  next?: Node;
}

export function checkHistory(ops: Operation[], opts: CheckOptions = {}): CheckResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of ops) {
    // A failed operation certainly had no effect and returned nothing to check.
    if (op.outcome === 'failed') continue;
    let list = byKey.get(op.key);
    if (!list) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const keys = [...byKey.entries()].map(([key, list]) => checkKey(key, list, opts.maxStepsPerKey ?? 5_000_000));
  const verdict: Verdict = keys.some((k) => k.verdict === 'violation') ? 'violation' : keys.some((k) => k.verdict === 'timeout') ? 'timeout' : 'ok';
  return { verdict, keys, operations: ops.length };
}

function buildList(ops: Operation[]): Node {
  const events: Node[] = [];
  ops.forEach((op, i) => {
    // No answer: it may take effect at any time after it started, so its
    // return is at infinity (placing it last is the same as "never happened").
    const end = op.outcome === 'unknown' ? Number.POSITIVE_INFINITY : op.end;
    const call: Node = { op: i, isCall: true, time: op.start };
    const ret: Node = { op: i, isCall: false, time: end };
    call.match = ret;
    events.push(call, ret);
  });
  // Calls sort before returns at equal times: touching operations count as concurrent.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Node = { op: -1, isCall: false, time: Number.NEGATIVE_INFINITY };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  return head;
}

function lift(n: Node): void {
  n.prev!.next = n.next;
  if (n.next) n.next.prev = n.prev;
  const m = n.match!;
  m.prev!.next = m.next;
  if (m.next) m.next.prev = m.prev;
}

function unlift(n: Node): void {
  const m = n.match!;
  m.prev!.next = m;
  if (m.next) m.next.prev = m;
  n.prev!.next = n;
  if (n.next) n.next.prev = n;
}

class Bits {
  readonly words: Uint32Array;
  constructor(n: number) {
    this.words = new Uint32Array(Math.ceil(n / 32) || 1);
  }
  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }
  clear(i: number): void {
    this.words[i >>> 5]! &= ~(1 << (i & 31));
  }
  key(): string {
    return Array.from(this.words, (w) => w.toString(36)).join(',');
  }
}

function checkKey(key: string, ops: Operation[], maxSteps: number): KeyResult {
  const head = buildList(ops);
  const linearized = new Bits(ops.length);
  const seen = new Set<string>();
  const stack: { node: Node; state: KeyState }[] = [];
  let state = INITIAL;
  let entry = head.next;
  let steps = 0;
  let best: number[] = [];

  while (head.next) {
    if (++steps > maxSteps) return { key, verdict: 'timeout', operations: ops.length };
    if (!entry) break; // unreachable: the list always ends with a return
    if (entry.isCall) {
      const next = step(state, ops[entry.op]!);
      if (next) {
        linearized.set(entry.op);
        const memo = `${linearized.key()}|${stateKey(next)}`;
        if (!seen.has(memo)) {
          seen.add(memo);
          stack.push({ node: entry, state });
          state = next;
          lift(entry);
          if (stack.length > best.length) best = stack.map((s) => s.node.op);
          entry = head.next;
          continue;
        }
        linearized.clear(entry.op);
      }
      entry = entry.next;
    } else {
      // A return with its call still pending: the operation must have taken
      // effect before here, and no order tried so far allows it. Backtrack.
      const top = stack.pop();
      if (!top) {
        const done = new Set(best);
        return {
          key,
          verdict: 'violation',
          operations: ops.length,
          longestLinearization: best.map((i) => ops[i]!),
          stuck: ops.filter((_, i) => !done.has(i)).slice(0, 5),
        };
      }
      state = top.state;
      linearized.clear(top.node.op);
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return { key, verdict: 'ok', operations: ops.length };
}
