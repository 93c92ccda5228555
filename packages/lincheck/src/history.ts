/**
 * The history format: one JSON object per line, one line per operation a
 * client issued (docs/linearizability.md describes it for other checkers).
 */

export type OpKind = 'get' | 'put' | 'cas';

/**
 * ok: the client got an answer (for cas, `result.ok` says whether it swapped).
 * failed: the operation certainly did not take effect (refused before it was proposed).
 * unknown: no answer (timeout, connection lost): it may or may not have taken effect.
 */
export type Outcome = 'ok' | 'failed' | 'unknown';

export interface Operation {
  client: string;
  op: OpKind;
  key: string;
  /** put and cas: the value written. */
  value?: string;
  /** cas: the version the key must have (0: the key must not exist). */
  expectedVersion?: number;
  /** Nanoseconds, from any fixed origin shared by all clients (for example process.hrtime.bigint()). */
  start: number;
  end: number;
  outcome: Outcome;
  /** For ok outcomes: what the server answered. */
  result?: {
    /** cas: whether it swapped. */
    ok?: boolean;
    /** get: the value read (absent when the key does not exist). */
    value?: string;
    /** get: the version read (0 when absent); put/cas: the version written. */
    version?: number;
  };
}

export class HistoryFormatError extends Error {
  override name = 'HistoryFormatError';
  constructor(readonly line: number, reason: string) {
    super(`history line ${line}: ${reason}`);
  }
}

const KINDS = new Set(['get', 'put', 'cas']);
const OUTCOMES = new Set(['ok', 'failed', 'unknown']);

/** Parse JSON lines; every error names the line and the field. */
export function parseHistory(text: string): Operation[] {
  const ops: Operation[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch (err) {
      throw new HistoryFormatError(line, `not JSON: ${(err as Error).message}`);
    }
    if (typeof o['client'] !== 'string') throw new HistoryFormatError(line, 'client: must be a string');
    if (typeof o['op'] !== 'string' || !KINDS.has(o['op'])) throw new HistoryFormatError(line, 'op: must be get, put or cas');
    if (typeof o['key'] !== 'string') throw new HistoryFormatError(line, 'key: must be a string');
    if (typeof o['start'] !== 'number' || typeof o['end'] !== 'number') throw new HistoryFormatError(line, 'start, end: must be numbers (ns)');
    if (o['end'] < o['start']) throw new HistoryFormatError(line, 'end: must not be before start');
    if (typeof o['outcome'] !== 'string' || !OUTCOMES.has(o['outcome'])) throw new HistoryFormatError(line, 'outcome: must be ok, failed or unknown');
    if (o['op'] !== 'get' && typeof o['value'] !== 'string') throw new HistoryFormatError(line, 'value: required for put and cas');
    if (o['op'] === 'cas' && typeof o['expectedVersion'] !== 'number') throw new HistoryFormatError(line, 'expectedVersion: required for cas');
    ops.push(o as unknown as Operation);
  });
  return ops;
}

export function formatHistory(ops: Operation[]): string {
  return ops.map((o) => JSON.stringify(o)).join('\n') + (ops.length ? '\n' : '');
}
