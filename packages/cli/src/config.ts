/**
 * Where the CLI finds the cluster: --server, then SHOAL_SERVERS, then the
 * config file (SHOAL_CONFIG or ~/.shoal/config.yaml), then the local
 * three-node cluster's addresses.
 *
 *   # ~/.shoal/config.yaml
 *   servers: [127.0.0.1:7100, 127.0.0.2:7100]
 *   namespace: default
 *   timeout: 10s
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_SERVERS } from '@shoal/client';
import { CliError } from './errors.js';
import type { CliIO } from './io.js';

export interface CliConfig {
  servers: string[];
  namespace: string;
  timeoutMs: number;
  /** Where the servers came from, for messages. */
  source: string;
}

function splitServers(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** "10s", "500ms", "2m", or a bare number of seconds. */
export function parseDuration(text: string | number, what = 'duration'): number {
  if (typeof text === 'number') return text * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`${what}: cannot parse ${JSON.stringify(text)} (use e.g. 500ms, 10s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

interface FileConfig { servers?: string[] | string; namespace?: string; timeout?: string | number }

function readConfigFile(path: string, required: boolean): FileConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read config file ${path}: ${(err as Error).message}`, 1, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new CliError(`config file ${path}: ${(err as Error).message.split('\n')[0]}`, 1, { cause: err });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new CliError(`config file ${path}: expected a mapping with servers, namespace, timeout`);
  const cfg = doc as FileConfig;
  if (cfg.servers !== undefined && typeof cfg.servers !== 'string' && !(Array.isArray(cfg.servers) && cfg.servers.every((s) => typeof s === 'string'))) {
    throw new CliError(`config file ${path}: servers: must be a list of host:port strings`);
  }
  if (cfg.namespace !== undefined && typeof cfg.namespace !== 'string') throw new CliError(`config file ${path}: namespace: must be a string`);
  return cfg;
}

export function resolveConfig(io: CliIO, flags: { server?: string | string[]; timeout?: string | number; namespace?: string }): CliConfig {
  const explicitPath = io.env['SHOAL_CONFIG'];
  const path = explicitPath ? resolve(io.cwd, explicitPath) : join(io.home, '.shoal', 'config.yaml');
  const file = readConfigFile(path, Boolean(explicitPath)) ?? {};

  let servers: string[];
  let source: string;
  const flag = Array.isArray(flags.server) ? flags.server.join(',') : flags.server;
  if (flag) {
    servers = splitServers(flag);
    source = '--server';
  } else if (io.env['SHOAL_SERVERS']) {
    servers = splitServers(io.env['SHOAL_SERVERS']);
    source = 'SHOAL_SERVERS';
  } else if (file.servers) {
    servers = typeof file.servers === 'string' ? splitServers(file.servers) : file.servers;
    source = path;
  } else {
    servers = [...DEFAULT_SERVERS];
    source = 'defaults';
  }
  if (servers.length === 0) throw new CliError(`no servers given (${source})`);
  for (const s of servers) if (!/^[^:\s]+:\d+$/.test(s)) throw new CliError(`server ${JSON.stringify(s)} from ${source} is not host:port`);

  const timeoutMs = flags.timeout !== undefined ? parseDuration(flags.timeout, '--timeout') : file.timeout !== undefined ? parseDuration(file.timeout, `${path}: timeout`) : 10_000;
  return { servers, namespace: flags.namespace || file.namespace || 'default', timeoutMs, source };
}
