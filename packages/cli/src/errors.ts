/**
 * CLI errors and how any error becomes the one line a user sees.
 */
import { AlreadyExistsError, CompactedError, ConflictError, InvalidError, NotFoundError, TimeoutError, UnavailableError } from '@shoal/client';

/** A mistake in how the command was used, or a condition the CLI itself detected. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A manifest that cannot be read or parsed; the message names the file and document. */
export class ManifestError extends CliError {
  override name = 'ManifestError';
}

/** The one line printed for `err` (kubectl style: "Error from server (NotFound): ..."). */
export function formatError(err: unknown): string {
  if (err instanceof CliError) return `error: ${err.message}`;
  if (err instanceof NotFoundError) return `Error from server (NotFound): ${err.message}`;
  if (err instanceof AlreadyExistsError) return `Error from server (AlreadyExists): ${err.message}`;
  if (err instanceof ConflictError) return `Error from server (Conflict): ${err.message}`;
  if (err instanceof InvalidError) return `Error from server (Invalid): ${err.message}`;
  if (err instanceof CompactedError) return `Error from server (Expired): ${err.message}`;
  if (err instanceof TimeoutError) return `error: timed out: ${err.message}`;
  if (err instanceof UnavailableError) return `error: cluster unavailable: ${err.message}`;
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}
