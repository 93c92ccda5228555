/**
 * Deterministic allocation of service cluster IPs and node ports. A cursor
 * walks the range and wraps, so a just-released address is not handed out
 * again at once; the cursor is part of the snapshot so replicas agree.
 */
import { formatIPv4, parseIPv4 } from './config.js';

export class RangeAllocator {
  private readonly used = new Set<number>();
  /** The next value to try. */
  cursor: number;

  constructor(readonly first: number, readonly last: number) {
    this.cursor = first;
  }

  has(v: number): boolean {
    return this.used.has(v);
  }

  inRange(v: number): boolean {
    return v >= this.first && v <= this.last;
  }

  /** Marks `v` used; false when it is out of range or taken. */
  claim(v: number): boolean {
    if (!this.inRange(v) || this.used.has(v)) return false;
    this.used.add(v);
    return true;
  }

  /** The next free value after the cursor, or undefined when the range is full. */
  allocate(): number | undefined {
    const span = this.last - this.first + 1;
    if (this.used.size >= span) return undefined;
    for (let i = 0; i < span; i++) {
      const v = this.first + ((this.cursor - this.first + i) % span);
      if (!this.used.has(v)) {
        this.used.add(v);
        this.cursor = v === this.last ? this.first : v + 1;
        return v;
      }
    }
    return undefined;
  }

  release(v: number): void {
    this.used.delete(v);
  }

  clear(): void {
    this.used.clear();
    this.cursor = this.first;
  }
}

/** Cluster IPs: every address of the CIDR except the network and broadcast addresses. */
export class ClusterIPAllocator {
  readonly range: RangeAllocator;
  constructor(base: number, size: number) {
    this.range = new RangeAllocator(base + 1, base + size - 2);
  }
  /** Claims an explicit IP; returns the reason it cannot be used, or undefined. */
  claim(ip: string): string | undefined {
    const n = parseIPv4(ip);
    if (n === undefined) return 'must be a valid IPv4 address';
    if (!this.range.inRange(n)) return 'provided IP is not in the valid range of the service CIDR';
    if (!this.range.claim(n)) return 'provided IP is already allocated';
    return undefined;
  }
  allocate(): string | undefined {
    const n = this.range.allocate();
    return n === undefined ? undefined : formatIPv4(n);
  }
  release(ip: string): void {
    const n = parseIPv4(ip);
    if (n !== undefined) this.range.release(n);
  }
}
