/** Kubernetes resource quantities ("250m", "0.5", "64Mi", "1G") as numbers. */
import type { Quantity } from '@shoal/api';
import { ContainerConfigError } from './errors.js';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity as a plain number (cpu in cores, memory in bytes). */
export function parseQuantity(q: Quantity): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q) || q < 0) throw new ContainerConfigError(`invalid quantity ${q}`);
    return q;
  }
  const m = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?([a-zA-Z]*)$/.exec(q.trim());
  if (!m) throw new ContainerConfigError(`invalid quantity "${q}"`);
  const base = Number(m[1]) * (m[2] ? 10 ** Number(m[2]) : 1);
  const suffix = m[3] ?? '';
  const mult = BINARY[suffix] ?? DECIMAL[suffix];
  if (mult === undefined) throw new ContainerConfigError(`invalid quantity suffix in "${q}"`);
  return base * mult;
}

/** CPU cores as millicores, rounded up (Kubernetes keeps milli precision). */
export function cpuMillis(q: Quantity): number {
  return Math.ceil(parseQuantity(q) * 1000 - 1e-9);
}

export function memoryBytes(q: Quantity): number {
  return Math.ceil(parseQuantity(q));
}
