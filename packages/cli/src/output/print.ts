/**
 * Printing objects in the format asked with -o: a table (default, wide),
 * json, yaml or name.
 */
import type { KubeObject } from '@shoal/api';
import { stringify as toYaml } from 'yaml';
import { CliError } from '../errors.js';
import { resourceName } from '../kinds.js';
import { columnsFor, type Column } from './columns.js';
import { Table } from './table.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';
export const OUTPUT_FORMATS: readonly string[] = ['wide', 'json', 'yaml', 'name'];

export function parseOutputFormat(text: string | undefined): OutputFormat {
  if (text === undefined || text === '') return 'table';
  if (!OUTPUT_FORMATS.includes(text)) throw new CliError(`unknown output format ${JSON.stringify(text)} (use one of ${OUTPUT_FORMATS.join(', ')})`);
  return text as OutputFormat;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export function yamlText(value: unknown): string {
  return toYaml(value, { lineWidth: 0 });
}

/** One object or a List of them, as kubectl prints `get -o json|yaml`. */
export function printStructured(objects: readonly KubeObject[], format: 'json' | 'yaml', single: boolean): string {
  const value = single && objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
  return format === 'json' ? toJson(value) : yamlText(value);
}

export function objectName(obj: KubeObject): string {
  return `${resourceName(obj.kind)}/${obj.metadata.name}`;
}

/** A table printer that keeps its column widths across batches (for -w). */
export class ObjectTable {
  private readonly columns: Column[];
  private readonly table: Table;
  private printedHeader = false;

  constructor(kind: string, wide: boolean, withNamespace: boolean, private readonly now: () => Date, private readonly headers = true, qualified = false) {
    this.columns = columnsFor(kind, wide, withNamespace, qualified);
    this.table = new Table(this.columns.map((c) => c.header));
  }

  rows(objects: readonly KubeObject[]): string[][] {
    const now = this.now();
    return objects.map((o) => this.columns.map((c) => c.cell(o, now)));
  }

  print(objects: readonly KubeObject[]): string {
    const rows = this.rows(objects);
    const withHeader = this.headers && !this.printedHeader;
    this.printedHeader = true;
    return this.table.render(rows, withHeader);
  }
}
