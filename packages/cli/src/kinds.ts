/**
 * Kind names as people type them: "pods", "pod", "po", "Pod", "deploy",
 * "deployments.apps", and "kind/name" references.
 */
import { KINDS, type Kind } from '@shoal/api';
import { CliError } from './errors.js';

export interface KindInfo {
  kind: Kind;
  apiVersion: string;
  namespaced: boolean;
  plural: string;
}

const ALIASES = new Map<string, Kind>();
for (const [kind, info] of Object.entries(KINDS) as [Kind, (typeof KINDS)[Kind]][]) {
  const group = info.apiVersion.includes('/') ? info.apiVersion.split('/')[0] : '';
  for (const name of [kind.toLowerCase(), info.plural, ...info.short]) {
    ALIASES.set(name, kind);
    if (group) ALIASES.set(`${name}.${group}`, kind);
  }
}

export function kindInfo(kind: Kind): KindInfo {
  const info = KINDS[kind];
  return { kind, apiVersion: info.apiVersion, namespaced: info.namespaced, plural: info.plural };
}

export function resolveKind(text: string): KindInfo {
  const kind = ALIASES.get(text.toLowerCase());
  if (!kind) throw new CliError(`the server doesn't have a resource type ${JSON.stringify(text)} (known: ${Object.values(KINDS).map((k) => k.plural).join(', ')})`);
  return kindInfo(kind);
}

export function isKnownKind(kind: string): kind is Kind {
  return Object.prototype.hasOwnProperty.call(KINDS, kind);
}

/** "deployment.apps" / "pod": how kubectl names a kind in its messages. */
export function resourceName(kind: string): string {
  const info = isKnownKind(kind) ? KINDS[kind] : undefined;
  const group = info?.apiVersion.includes('/') ? `.${info.apiVersion.split('/')[0]}` : '';
  return `${kind.toLowerCase()}${group}`;
}

/** "deployment/web" → kind and name; `defaultKind` when no kind is given. */
export function parseRef(text: string, defaultKind?: string): { info: KindInfo; name: string } {
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (!defaultKind) throw new CliError(`expected KIND/NAME, got ${JSON.stringify(text)}`);
    return { info: resolveKind(defaultKind), name: text };
  }
  const name = text.slice(slash + 1);
  if (!name) throw new CliError(`expected KIND/NAME, got ${JSON.stringify(text)}`);
  return { info: resolveKind(text.slice(0, slash)), name };
}
