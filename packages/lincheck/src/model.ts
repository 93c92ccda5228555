/**
 * The sequential specification of one key: a versioned register. Version 0
 * means absent; every successful put or cas makes version + 1.
 */
import type { Operation } from './history.js';

export interface KeyState {
  value: string | undefined;
  version: number;
}

export const INITIAL: KeyState = { value: undefined, version: 0 };

/**
 * Apply `op` to `s`. Returns the next state when the operation's recorded
 * answer is what the specification gives from `s`, or undefined when not.
 * An unknown outcome accepts any answer.
 */
export function step(s: KeyState, op: Operation): KeyState | undefined {
  const known = op.outcome === 'ok';
  const r = op.result ?? {};
  switch (op.op) {
    case 'get':
      if (!known) return s;
      if ((r.value ?? undefined) !== s.value) return undefined;
      if (r.version !== undefined && r.version !== s.version) return undefined;
      return s;
    case 'put': {
      const next = { value: op.value, version: s.version + 1 };
      if (known && r.version !== undefined && r.version !== next.version) return undefined;
      return next;
    }
    case 'cas': {
      const swaps = s.version === op.expectedVersion;
      if (known && r.ok !== undefined && r.ok !== swaps) return undefined;
      if (!swaps) return s;
      const next = { value: op.value, version: s.version + 1 };
      if (known && r.version !== undefined && r.ok && r.version !== next.version) return undefined;
      return next;
    }
  }
}

export function stateKey(s: KeyState): string {
  return `${s.version}\u0000${s.value ?? '\u0001'}`;
}
