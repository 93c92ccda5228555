/** HTTP and TCP probe targets: a port number, or a container port's name. */
import type { Container } from '@shoal/api';

export function resolvePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}
