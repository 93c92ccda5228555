/**
 * What every command handler gets: the IO, the global flags, and a client
 * created on first use from them (so `--help` never connects anywhere).
 */
import { ShoalClient } from '@shoal/client';
import { resolveConfig, type CliConfig } from './config.js';
import type { CliIO } from './io.js';

export interface GlobalFlags {
  server?: string | string[];
  timeout?: string | number;
  namespace?: string;
}

export class CommandContext {
  /** The process exit code once the command finished (exec sets the command's). */
  exitCode = 0;
  private cfg: CliConfig | undefined;
  private shoal: ShoalClient | undefined;

  constructor(readonly io: CliIO) {}

  config(flags: GlobalFlags): CliConfig {
    this.cfg ??= resolveConfig(this.io, flags);
    return this.cfg;
  }

  client(flags: GlobalFlags): ShoalClient {
    const cfg = this.config(flags);
    this.shoal ??= new ShoalClient({ servers: cfg.servers, timeoutMs: cfg.timeoutMs });
    return this.shoal;
  }

  /** -n, else the config file's namespace, else "default". */
  namespace(flags: GlobalFlags): string {
    return this.config(flags).namespace;
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  close(): void {
    this.shoal?.close();
  }
}
