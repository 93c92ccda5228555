/** Types the core uses from elsewhere, and a no-op logger for when none is given. */
import type { Logger } from '@shoal/log';
export type { Logger } from '@shoal/log';
export type { Entry } from '../types.js';

export const noopLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => noopLogger,
};
