/** IPv4 addresses and CIDR blocks as numbers. Pure. */

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  bits: number;
}

export class CidrError extends Error {
  override name = 'CidrError';
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new CidrError(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new CidrError(`not an IPv4 address: ${ip}`);
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function parseCidr(text: string): Cidr {
  const [ip, len, extra] = text.split('/');
  const bits = Number(len);
  if (ip === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len) || bits > 32) throw new CidrError(`not an IPv4 CIDR: ${text}`);
  return { base: (ipToInt(ip) & mask(bits)) >>> 0, bits };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.bits}`;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

export function contains(c: Cidr, ip: string): boolean {
  return ((ipToInt(ip) & mask(c.bits)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return ((a.base & mask(bits)) >>> 0) === ((b.base & mask(bits)) >>> 0);
}

/** The `n`th address of a block (0 is the network address). */
export function nth(c: Cidr, n: number): string {
  if (n < 0 || n >= size(c)) throw new CidrError(`address ${n} is outside ${formatCidr(c)}`);
  return intToIp(c.base + n);
}
