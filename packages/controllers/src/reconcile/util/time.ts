/** RFC 3339 timestamps <-> ms. Pure: the time itself always comes from the context. */

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** ms since the epoch, or undefined when absent or unparsable. */
export function ms(timestamp: string | undefined): number | undefined {
  if (!timestamp) return undefined;
  const v = Date.parse(timestamp);
  return Number.isNaN(v) ? undefined : v;
}
