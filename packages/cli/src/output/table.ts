/**
 * Aligned columns for people, like kubectl's tabwriter: each column as wide
 * as its widest cell, three spaces between columns.
 */
const GAP = '   ';

export class Table {
  private widths: number[];

  constructor(readonly headers: readonly string[]) {
    this.widths = headers.map((h) => h.length);
  }

  /** Widen columns to fit these rows (call before printing a batch). */
  fit(rows: readonly (readonly string[])[]): void {
    for (const row of rows) row.forEach((cell, i) => { this.widths[i] = Math.max(this.widths[i] ?? 0, cell.length); });
  }

  line(cells: readonly string[]): string {
    const last = cells.length - 1;
    return cells.map((c, i) => (i === last ? c : c.padEnd(this.widths[i] ?? c.length))).join(GAP).trimEnd() + '\n';
  }

  render(rows: readonly (readonly string[])[], headers = true): string {
    this.fit(rows);
    return (headers ? this.line(this.headers) : '') + rows.map((r) => this.line(r)).join('');
  }
}
