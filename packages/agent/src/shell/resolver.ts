/** ConfigMap and Secret data for env and volumes, read through the agent's source. */
import type { ConfigMap, ObjectReader, Secret } from '@shoal/api';
import type { ConfigResolver } from '@shoal/runtime';

export function sourceResolver(reader: ObjectReader): ConfigResolver {
  return {
    configMap(namespace, name) {
      const cm = reader.get<ConfigMap>({ kind: 'ConfigMap', namespace, name });
      if (!cm) return undefined;
      const out: Record<string, string> = { ...cm.data };
      for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString();
      return out;
    },
    secret(namespace, name) {
      const s = reader.get<Secret>({ kind: 'Secret', namespace, name });
      if (!s) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString();
      for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
      return out;
    },
  };
}
