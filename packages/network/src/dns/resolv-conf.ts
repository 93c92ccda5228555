/** Reading the host's resolvers from resolv.conf text. Pure. */

/** The `nameserver` lines of a resolv.conf, in order. */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const words = line.replace(/[#;].*/, '').trim().split(/\s+/);
    if (words[0] === 'nameserver' && words[1] !== undefined) out.push(words[1]);
  }
  return out;
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === '0.0.0.0';
}

/**
 * The upstreams worth forwarding to: loopback resolvers are skipped (on a node
 * that runs us, they are likely to be us, or a stub unreachable from pods'
 * point of view), and so are our own listen addresses, so we never forward to
 * ourselves in a loop.
 */
export function upstreamsFrom(nameservers: readonly string[], ownAddresses: readonly string[]): string[] {
  return nameservers.filter((ns) => !isLoopback(ns) && !ownAddresses.includes(ns));
}
