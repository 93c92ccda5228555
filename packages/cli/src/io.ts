/**
 * Everything the CLI touches outside itself, passed in so tests run the CLI
 * in-process with captured output, a fixed clock and their own environment.
 */
import { homedir } from 'node:os';

export interface Output {
  write(text: string): unknown;
}

export interface CliIO {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
  now: () => Date;
  /** Aborted to stop long-running commands (get -w, logs -f, rollout status). */
  signal?: AbortSignal;
}

export function processIO(signal?: AbortSignal): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    home: homedir(),
    now: () => new Date(),
    ...(signal ? { signal } : {}),
  };
}

/** Collects writes into a string (tests). */
export class BufferOutput implements Output {
  text = '';
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}
