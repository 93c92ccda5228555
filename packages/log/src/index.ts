/**
 * One structured logger for every package. Pure packages depend only on the
 * `Logger` interface; the daemon passes in a pino-backed one.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line carries `fields` too (component, node, term...). */
  child(fields: LogFields): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LEVELS as readonly string[]).includes(v);
}

class PinoAdapter implements Logger {
  constructor(private readonly p: PinoLogger) {}
  debug(msg: string, fields?: LogFields): void { this.p.debug(fields ?? {}, msg); }
  info(msg: string, fields?: LogFields): void { this.p.info(fields ?? {}, msg); }
  warn(msg: string, fields?: LogFields): void { this.p.warn(fields ?? {}, msg); }
  error(msg: string, fields?: LogFields): void { this.p.error(fields ?? {}, msg); }
  child(fields: LogFields): Logger { return new PinoAdapter(this.p.child(fields)); }
}

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go; a file descriptor (default 1, stdout). */
  fd?: number;
  base?: LogFields;
}

/** JSON lines, one per event, to a file descriptor. */
export function createJsonLogger(opts: JsonLoggerOptions = {}): Logger {
  const p = pino(
    { level: opts.level ?? 'info', base: opts.base ?? {}, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: opts.fd ?? 1, sync: false }),
  );
  return new PinoAdapter(p);
}

/** Discards everything; the default in libraries and tests. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() { return silentLogger; },
};

export interface LogRecord { level: Exclude<LogLevel, 'silent'>; msg: string; fields: LogFields }

/** Keeps every record in memory so tests can assert on what was logged. */
export class MemoryLogger implements Logger {
  readonly records: LogRecord[];
  constructor(private readonly base: LogFields = {}, records?: LogRecord[]) {
    this.records = records ?? [];
  }
  private push(level: LogRecord['level'], msg: string, fields?: LogFields): void {
    this.records.push({ level, msg, fields: { ...this.base, ...fields } });
  }
  debug(msg: string, fields?: LogFields): void { this.push('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.push('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.push('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.push('error', msg, fields); }
  child(fields: LogFields): Logger { return new MemoryLogger({ ...this.base, ...fields }, this.records); }
}
