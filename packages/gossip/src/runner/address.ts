/** host:port strings, with [v6]:port accepted. */
export interface HostPort { host: string; port: number }

export function parseHostPort(s: string): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new TypeError(`not a host:port address: ${JSON.stringify(s)}`);
  return { host: m[1] as string, port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
