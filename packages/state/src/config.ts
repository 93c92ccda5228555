/** The store's configuration; every replica must use the same values. */
import { StoreConfigError } from './errors.js';

export interface ObjectStoreConfig {
  /** Where service cluster IPs come from. Default 10.96.0.0/16. */
  serviceCIDR?: string;
  /** Inclusive NodePort range. Default [30000, 32767]. */
  nodePortRange?: readonly [number, number];
  /** How many change events watch can replay. Default 10,000. */
  historyLimit?: number;
  /** Objects larger than this (JSON bytes) are refused. Default 1 MiB. */
  maxObjectBytes?: number;
  /** creationTimestamp of the bootstrap namespaces. Default the Unix epoch. */
  bootstrapTimestamp?: string;
  /** Told when a watcher's callback throws (the watcher is then closed). */
  onWatcherError?: (error: unknown) => void;
}

export interface ResolvedConfig {
  cidr: { base: number; size: number; text: string };
  nodePortRange: readonly [number, number];
  historyLimit: number;
  maxObjectBytes: number;
  bootstrapTimestamp: string;
  onWatcherError: (error: unknown) => void;
}

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parseCIDR(text: string): { base: number; size: number; text: string } {
  const [ip = '', bitsText = ''] = text.split('/');
  const base = parseIPv4(ip);
  const bits = Number(bitsText);
  if (base === undefined || !/^\d+$/.test(bitsText) || bits < 8 || bits > 30) {
    throw new StoreConfigError(`serviceCIDR ${JSON.stringify(text)} must be an IPv4 CIDR with a prefix length from 8 to 30`);
  }
  const size = 2 ** (32 - bits);
  if (base % size !== 0) throw new StoreConfigError(`serviceCIDR ${JSON.stringify(text)} has host bits set`);
  return { base, size, text };
}

export function resolveConfig(c: ObjectStoreConfig): ResolvedConfig {
  const range = c.nodePortRange ?? [30000, 32767];
  const [lo, hi] = range;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi) {
    throw new StoreConfigError(`nodePortRange ${JSON.stringify(range)} must be two ports, low to high, within 1-65535`);
  }
  const historyLimit = c.historyLimit ?? 10_000;
  if (!Number.isInteger(historyLimit) || historyLimit < 1) throw new StoreConfigError(`historyLimit must be a positive integer, got ${historyLimit}`);
  const maxObjectBytes = c.maxObjectBytes ?? 1024 * 1024;
  if (!Number.isInteger(maxObjectBytes) || maxObjectBytes < 1024) throw new StoreConfigError(`maxObjectBytes must be an integer of at least 1024, got ${maxObjectBytes}`);
  const bootstrapTimestamp = c.bootstrapTimestamp ?? '1970-01-01T00:00:00Z';
  if (Number.isNaN(Date.parse(bootstrapTimestamp))) throw new StoreConfigError(`bootstrapTimestamp ${JSON.stringify(bootstrapTimestamp)} is not an RFC 3339 time`);
  return {
    cidr: parseCIDR(c.serviceCIDR ?? '10.96.0.0/16'),
    nodePortRange: [lo, hi],
    historyLimit,
    maxObjectBytes,
    bootstrapTimestamp,
    onWatcherError: c.onWatcherError ?? (() => undefined),
  };
}
