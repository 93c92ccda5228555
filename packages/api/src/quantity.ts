/**
 * Kubernetes resource quantities ("500m", "0.5", "128Mi", "1G", "1e3", 2).
 *
 * A quantity is a signed decimal number followed by at most one suffix:
 * a binary SI suffix (Ki Mi Gi Ti Pi Ei, powers of 1024), a decimal SI
 * suffix (n u m k M G T P E, powers of 1000) or a decimal exponent (e3, E-2).
 * Decimal scaling is done by the number parser itself ("0.1e3" parses to
 * exactly 100), so "100m" is 0.1 and cpuMillis("0.1") is 100, not 100.00001.
 */
import type { Quantity } from './types.js';

export class QuantityError extends Error {
  override name = 'QuantityError';
  constructor(readonly value: Quantity, reason: string) {
    super(`invalid quantity ${JSON.stringify(value)}: ${reason}`);
  }
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

interface Parts {
  /** The decimal number as written, without suffix. */
  number: string;
  /** Power of ten to scale by. */
  exp10: number;
  /** Power of two to scale by. */
  exp2: number;
}

function parts(q: Quantity): Parts {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new QuantityError(q, 'must be a finite number');
    return { number: String(q), exp10: 0, exp2: 0 };
  }
  if (typeof q !== 'string') throw new QuantityError(q, 'must be a string or a number');
  const m = QUANTITY_RE.exec(q.trim() === q ? q : '');
  if (!m) throw new QuantityError(q, 'expected a number with an optional suffix (m, k, M, G, Ki, Mi, Gi, ... or e<exponent>)');
  const [, number = '', bin, dec, exp] = m;
  if (bin) return { number, exp10: 0, exp2: BINARY[bin] ?? 0 };
  if (dec) return { number, exp10: DECIMAL[dec] ?? 0, exp2: 0 };
  if (exp) return { number, exp10: Number(exp), exp2: 0 };
  return { number, exp10: 0, exp2: 0 };
}

/** `number` scaled by 10^exp10 * 2^exp2, parsed once so decimal shifts stay exact. */
function scaled(p: Parts, extraExp10: number): number {
  const v = Number(`${p.number}e${p.exp10 + extraExp10}`) * 2 ** p.exp2;
  return v;
}

function finite(q: Quantity, v: number): number {
  if (!Number.isFinite(v)) throw new QuantityError(q, 'out of range');
  return v;
}

/** The quantity in base units: cores for cpu, bytes for memory. */
export function parseQuantity(q: Quantity): number {
  return finite(q, scaled(parts(q), 0));
}

/** CPU in millicores, rounded up as Kubernetes does ("0.0001" is 1m). */
export function cpuMillis(q: Quantity): number {
  return finite(q, Math.ceil(scaled(parts(q), 3)));
}

/** Memory (or any byte count) in bytes, rounded up. */
export function memoryBytes(q: Quantity): number {
  return finite(q, Math.ceil(scaled(parts(q), 0)));
}

/** True when `q` parses; for validation messages use parseQuantity's error. */
export function isQuantity(q: unknown): q is Quantity {
  if (typeof q !== 'string' && typeof q !== 'number') return false;
  try {
    parseQuantity(q);
    return true;
  } catch {
    return false;
  }
}
