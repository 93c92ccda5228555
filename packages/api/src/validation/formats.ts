/** Checks for the named string formats of the field schema. */
import { dns1123Label, dns1123Subdomain, envVarName, labelValue, portName, qualifiedName } from '../names.js';
import type { Format } from './schema.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;
const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

export function checkFormat(format: Format, v: string): string[] {
  switch (format) {
    case 'dns1123Label':
      return dns1123Label(v);
    case 'dns1123Subdomain':
      return dns1123Subdomain(v);
    case 'qualifiedName':
      return qualifiedName(v);
    case 'labelValue':
      return labelValue(v);
    case 'envVarName':
      return envVarName(v);
    case 'portName':
      return portName(v);
    case 'rfc3339':
      return RFC3339.test(v) && !Number.isNaN(Date.parse(v)) ? [] : ['must be an RFC 3339 timestamp such as 2006-01-02T15:04:05Z'];
    case 'ipv4':
      return IPV4.test(v) ? [] : ['must be a valid IPv4 address'];
    case 'configMapKey':
      if (v.length > 253) return ['must be no more than 253 characters'];
      return CONFIG_MAP_KEY.test(v) && v !== '.' && v !== '..' ? [] : ["a valid config key must consist of alphanumeric characters, '-', '_' or '.'"];
    case 'base64':
      return BASE64.test(v) ? [] : ['must be base64-encoded'];
    case 'absolutePath':
      return v.startsWith('/') ? [] : ['must be an absolute path'];
    case 'cron': {
      const t = v.trim();
      if (CRON_MACROS.has(t)) return [];
      const fields = t.split(/\s+/);
      if (fields.length !== 5) return ['must be a cron schedule with 5 fields (minute hour day-of-month month day-of-week) or a macro such as @hourly'];
      return fields.every((f) => CRON_FIELD.test(f)) ? [] : ['must be a cron schedule with 5 fields (minute hour day-of-month month day-of-week)'];
    }
  }
}
