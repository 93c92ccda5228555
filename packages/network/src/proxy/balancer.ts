/**
 * Chooses the endpoint for each new connection of one service port. Pure:
 * randomness and time are injected.
 *  - Endpoints come in weighted groups ({ groups: [{ weight, endpoints }] }); a
 *    group is drawn with probability weight / (sum of weights of the groups
 *    that still have a usable endpoint), then round robin inside it. One group
 *    is plain round robin (the default); several are a traffic split (canary).
 *  - Session affinity by client IP: a client keeps its endpoint while it keeps
 *    connecting within `timeoutSeconds` of its last connection.
 *  - The caller passes endpoints to skip (refused for this connection).
 */
import type { Rand } from './rand.js';

export interface Backend {
  ip: string;
  port: number;
}

export interface BackendGroup {
  weight: number;
  endpoints: Backend[];
}

export interface BalancerConfig {
  groups: BackendGroup[];
  /** ClientIP session affinity; absent means none. */
  affinity?: { timeoutSeconds: number };
}

export interface BalancerDeps {
  rand: Rand;
  /** Milliseconds, monotonic enough for affinity expiry. */
  now: () => number;
}

export function backendKey(b: Backend): string {
  return b.ip.includes(':') ? `[${b.ip}]:${b.port}` : `${b.ip}:${b.port}`;
}

export class BalancerConfigError extends Error {
  override name = 'BalancerConfigError';
}

interface Sticky {
  key: string;
  expiresAt: number;
}

/** Above this many remembered clients, expired entries are swept on the next pick. */
const AFFINITY_SWEEP_AT = 4096;

export class Balancer {
  private cfg: BalancerConfig = { groups: [] };
  private readonly cursor: number[] = [];
  private readonly sticky = new Map<string, Sticky>();
  private byKey = new Map<string, Backend>();

  constructor(cfg: BalancerConfig, private readonly deps: BalancerDeps) {
    this.update(cfg);
  }

  /**
   * New endpoints. Round-robin positions and affinities survive for endpoints
   * that remain; clients stuck to a removed endpoint are re-balanced.
   */
  update(cfg: BalancerConfig): void {
    for (const g of cfg.groups) {
      if (!Number.isFinite(g.weight) || g.weight < 0) throw new BalancerConfigError(`group weight must be a finite number >= 0, got ${g.weight}`);
    }
    this.cfg = { groups: cfg.groups.map((g) => ({ weight: g.weight, endpoints: [...g.endpoints] })), ...(cfg.affinity ? { affinity: { ...cfg.affinity } } : {}) };
    this.cursor.length = this.cfg.groups.length;
    for (let i = 0; i < this.cursor.length; i++) this.cursor[i] ??= 0;
    this.byKey = new Map(this.cfg.groups.flatMap((g) => g.endpoints.map((b) => [backendKey(b), b] as const)));
    if (!this.cfg.affinity) this.sticky.clear();
    for (const [client, s] of this.sticky) if (!this.byKey.has(s.key)) this.sticky.delete(client);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The endpoint for a new connection from `clientIP`, or undefined if none is usable. */
  pick(clientIP: string, skip: ReadonlySet<string> = new Set()): Backend | undefined {
    const now = this.deps.now();
    const aff = this.cfg.affinity;
    if (aff) {
      if (this.sticky.size > AFFINITY_SWEEP_AT) this.sweep(now);
      const s = this.sticky.get(clientIP);
      const b = s && s.expiresAt > now && !skip.has(s.key) ? this.byKey.get(s.key) : undefined;
      if (b) {
        s!.expiresAt = now + aff.timeoutSeconds * 1000;
        return b;
      }
    }
    const chosen = this.pickFresh(skip);
    if (chosen && aff) this.sticky.set(clientIP, { key: backendKey(chosen), expiresAt: now + aff.timeoutSeconds * 1000 });
    return chosen;
  }

  private pickFresh(skip: ReadonlySet<string>): Backend | undefined {
    const usable = this.cfg.groups
      .map((g, i) => ({ g, i }))
      .filter(({ g }) => g.weight > 0 && g.endpoints.some((b) => !skip.has(backendKey(b))));
    const total = usable.reduce((sum, u) => sum + u.g.weight, 0);
    if (usable.length === 0 || total <= 0) return undefined;
    let x = this.deps.rand.next() * total;
    let chosen = usable[usable.length - 1]!;
    for (const u of usable) {
      if (x < u.g.weight) { chosen = u; break; }
      x -= u.g.weight;
    }
    const eps = chosen.g.endpoints;
    for (let n = 0; n < eps.length; n++) {
      const at = (this.cursor[chosen.i]! + n) % eps.length;
      const b = eps[at]!;
      if (!skip.has(backendKey(b))) {
        this.cursor[chosen.i] = (at + 1) % eps.length;
        return b;
      }
    }
    return undefined; // unreachable: the group has a usable endpoint
  }

  private sweep(now: number): void {
    for (const [client, s] of this.sticky) if (s.expiresAt <= now) this.sticky.delete(client);
  }
}
