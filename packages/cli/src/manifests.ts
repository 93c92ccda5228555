/**
 * Reading manifests for `apply -f` and `delete -f`: files, folders (their
 * .yaml, .yml and .json files, sorted) and standard input ("-"), each with
 * any number of YAML documents. Every object keeps where it came from, so
 * errors name the file, the document and its line.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject } from '@shoal/api';
import { ManifestError } from './errors.js';

export interface ManifestSource {
  file: string;
  /** 1-based document number within the file. */
  document: number;
  /** 1-based line where the document's content starts. */
  line: number;
}

export interface Manifest { object: KubeObject; source: ManifestSource }

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export function describeSource(s: ManifestSource): string {
  return `${s.file}: document ${s.document} (line ${s.line})`;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function filesOf(path: string, recursive: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new ManifestError(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, 1, { cause: err });
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path).sort()) {
    const full = join(path, entry);
    const isDir = statSync(full).isDirectory();
    if (isDir && recursive) out.push(...filesOf(full, true));
    else if (!isDir && MANIFEST_EXT.test(entry)) out.push(full);
  }
  return out;
}

/** Parse every document of one file's text. */
export function parseManifests(text: string, file: string): Manifest[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [];
  const out: Manifest[] = [];
  list.forEach((doc, i) => {
    const source: ManifestSource = { file, document: i + 1, line: lines.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line };
    const err = doc.errors[0];
    if (err) {
      const at = err.linePos?.[0];
      const where = at ? `line ${at.line}, column ${at.col}` : `line ${source.line}`;
      throw new ManifestError(`${file}: document ${source.document} (${where}): invalid YAML: ${err.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document
    for (const object of expandList(value, source)) out.push({ object, source });
  });
  return out;
}

/** Check the shape every object needs before it goes to the server; expand `kind: List`. */
function expandList(value: unknown, source: ManifestSource): KubeObject[] {
  const fail = (msg: string): never => { throw new ManifestError(`${describeSource(source)}: ${msg}`); };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected an object (a mapping with apiVersion, kind, metadata)');
  const obj = value as Partial<KubeObject> & { items?: unknown };
  if (obj.kind === 'List') {
    if (!Array.isArray(obj.items)) return fail('items: a List needs an items array');
    return obj.items.flatMap((item) => expandList(item, source));
  }
  if (typeof obj.kind !== 'string' || !obj.kind) fail('kind: required');
  if (typeof obj.apiVersion !== 'string' || !obj.apiVersion) fail('apiVersion: required');
  if (typeof obj.metadata !== 'object' || obj.metadata === null) fail('metadata: required');
  else if (typeof obj.metadata.name !== 'string' || !obj.metadata.name) fail('metadata.name: required');
  return [obj as KubeObject];
}

/** Every manifest of the given -f arguments, in order. */
export async function readManifests(paths: readonly string[], opts: { cwd: string; stdin: NodeJS.ReadableStream; recursive?: boolean }): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(...parseManifests(await readStdin(opts.stdin), '<stdin>'));
      continue;
    }
    const files = filesOf(resolve(opts.cwd, p), opts.recursive ?? false);
    if (files.length === 0) throw new ManifestError(`${p}: no .yaml, .yml or .json files in this folder`);
    for (const f of files) {
      const shown = f.startsWith(opts.cwd + '/') ? f.slice(opts.cwd.length + 1) : f;
      out.push(...parseManifests(readFileSync(f, 'utf8'), shown));
    }
  }
  return out;
}
