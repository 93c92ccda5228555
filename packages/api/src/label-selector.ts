/**
 * Label selectors: matching, the text syntax of `kubectl -l`
 * (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) and its inverse.
 */
import type { LabelSelector, LabelSelectorRequirement } from './types.js';
import { labelValue, qualifiedName } from './names.js';

export class SelectorParseError extends Error {
  override name = 'SelectorParseError';
  constructor(readonly text: string, readonly position: number, reason: string) {
    super(`invalid label selector ${JSON.stringify(text)} at position ${position}: ${reason}`);
  }
}

export type Labels = Readonly<Record<string, string>> | undefined;

function matchesRequirement(r: LabelSelectorRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value as string);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/**
 * True when `labels` satisfy every term of `sel`. An absent or empty selector
 * matches everything (list filters); controllers that must treat a missing
 * selector as "nothing" check for it themselves.
 */
export function matchesSelector(sel: LabelSelector | undefined, labels: Labels): boolean {
  if (!sel) return true;
  if (sel.matchLabels) {
    for (const [k, v] of Object.entries(sel.matchLabels)) {
      if (labels === undefined || !Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
    }
  }
  for (const r of sel.matchExpressions ?? []) if (!matchesRequirement(r, labels)) return false;
  return true;
}

/** True when the selector has no terms (it matches everything). */
export function isEmptySelector(sel: LabelSelector | undefined): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/** The selector matching exactly the objects carrying all of `labels`. */
export function selectorFromSet(labels: Readonly<Record<string, string>>): LabelSelector {
  return { matchLabels: { ...labels } };
}

// ---------------------------------------------------------------- parsing

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }
  peek(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }
  done(): boolean {
    return this.pos >= this.text.length;
  }
  /** A key or value: everything up to a delimiter. */
  word(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s,=!()]/.test(this.text[this.pos] as string)) this.pos++;
    return this.text.slice(start, this.pos);
  }
  fail(reason: string, at = this.pos): never {
    throw new SelectorParseError(this.text, at, reason);
  }
}

function checkKey(s: Scanner, key: string, at: number): void {
  if (key === '') s.fail('expected a label key', at);
  const errs = qualifiedName(key);
  if (errs.length) s.fail(`key ${JSON.stringify(key)}: ${errs.join('; ')}`, at);
}

function checkValue(s: Scanner, value: string, at: number): void {
  const errs = labelValue(value);
  if (errs.length) s.fail(`value ${JSON.stringify(value)}: ${errs.join('; ')}`, at);
}

function parseValueSet(s: Scanner): string[] {
  s.skipSpace();
  if (!s.eat('(')) s.fail("expected '('");
  const values: string[] = [];
  for (;;) {
    s.skipSpace();
    const at = s.pos;
    const v = s.word();
    checkValue(s, v, at);
    values.push(v);
    s.skipSpace();
    if (s.eat(')')) break;
    if (!s.eat(',')) s.fail("expected ',' or ')'");
  }
  return values;
}

function parseRequirement(s: Scanner, out: LabelSelector): void {
  s.skipSpace();
  if (s.eat('!')) {
    s.skipSpace();
    const at = s.pos;
    const key = s.word();
    checkKey(s, key, at);
    (out.matchExpressions ??= []).push({ key, operator: 'DoesNotExist' });
    return;
  }
  const at = s.pos;
  const key = s.word();
  checkKey(s, key, at);
  s.skipSpace();
  if (s.done() || s.peek(',')) {
    (out.matchExpressions ??= []).push({ key, operator: 'Exists' });
    return;
  }
  if (s.eat('!=')) {
    s.skipSpace();
    const vat = s.pos;
    const v = s.word();
    checkValue(s, v, vat);
    (out.matchExpressions ??= []).push({ key, operator: 'NotIn', values: [v] });
    return;
  }
  if (s.eat('==') || s.eat('=')) {
    s.skipSpace();
    const vat = s.pos;
    const v = s.word();
    checkValue(s, v, vat);
    const ml = (out.matchLabels ??= {});
    // A repeated key cannot sit in matchLabels twice; keep the extra term as In.
    if (Object.prototype.hasOwnProperty.call(ml, key)) (out.matchExpressions ??= []).push({ key, operator: 'In', values: [v] });
    else ml[key] = v;
    return;
  }
  const opAt = s.pos;
  const op = s.word();
  if (op === 'in') {
    (out.matchExpressions ??= []).push({ key, operator: 'In', values: parseValueSet(s) });
    return;
  }
  if (op === 'notin') {
    (out.matchExpressions ??= []).push({ key, operator: 'NotIn', values: parseValueSet(s) });
    return;
  }
  s.fail(`expected one of '=', '==', '!=', 'in', 'notin', ',' after key ${JSON.stringify(key)}`, opAt);
}

/** Parses `kubectl -l` syntax. The empty string is the empty selector (matches everything). */
export function parseSelector(text: string): LabelSelector {
  const s = new Scanner(text);
  const out: LabelSelector = {};
  s.skipSpace();
  if (s.done()) return out;
  for (;;) {
    parseRequirement(s, out);
    s.skipSpace();
    if (s.done()) break;
    if (!s.eat(',')) s.fail("expected ','");
  }
  return out;
}

/** The text form of a selector, accepted by parseSelector. */
export function formatSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const terms: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) terms.push(`${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        terms.push(values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(',')})`);
        break;
      case 'NotIn':
        terms.push(values.length === 1 ? `${r.key}!=${values[0]}` : `${r.key} notin (${values.join(',')})`);
        break;
      case 'Exists':
        terms.push(r.key);
        break;
      case 'DoesNotExist':
        terms.push(`!${r.key}`);
        break;
    }
  }
  return terms.join(',');
}
