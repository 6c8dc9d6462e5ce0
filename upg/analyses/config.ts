// The analyses' configuration: defaults, validation of what users write in custom.provenance
// (sensitive, allowlist) or pass on the command line, and the `*` wildcard match. Pure.
import type { AnalysisConfig, Endpoint, SensitiveConfig } from './types';

/** hello-retail keeps card data in a table named like `hello-retail-cards`: any table whose name says card or credit. */
export const DEFAULT_SENSITIVE: SensitiveConfig = { tables: ['*card*', '*credit*'], files: [], secrets: [] };

/** The embedded platform serves its API and DynamoDB on 127.0.0.1: see AnalysisConfig.inside. */
export const EMBEDDED_PLATFORM_HOSTS: Endpoint[] = [{ host: '127.0.0.1' }, { host: '::1' }, { host: 'localhost' }];

export const DEFAULT_CONFIG: AnalysisConfig = {
  sensitive: DEFAULT_SENSITIVE,
  allowlist: [],
  inside: EMBEDDED_PLATFORM_HOSTS,
  minSupport: 2,
  minModel: 3,
};

export class AnalysisConfigError extends Error {
  override readonly name = 'AnalysisConfigError';
}

/** What users may write: every field optional; endpoints as "host", "host:port", "[v6]:port", URLs, or {host, port}. */
export interface AnalysisConfigInput {
  sensitive?: { tables?: unknown; files?: unknown; secrets?: unknown } | unknown;
  allowlist?: unknown;
  inside?: unknown;
  minSupport?: unknown;
  minModel?: unknown;
}

/** Validated config with defaults filled in; throws AnalysisConfigError naming each problem and the fix. */
export function analysisConfig(input: AnalysisConfigInput = {}, where = 'custom.provenance'): AnalysisConfig {
  const problems: string[] = [];
  const out: AnalysisConfig = { ...DEFAULT_CONFIG, sensitive: { ...DEFAULT_SENSITIVE }, allowlist: [], inside: [...DEFAULT_CONFIG.inside] };
  if (input.sensitive !== undefined) {
    const s = input.sensitive;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      problems.push(`${where}.sensitive must be a mapping with tables, files and/or secrets (lists of names), got ${describeValue(s)}`);
    } else {
      const given = s as Record<string, unknown>;
      for (const key of Object.keys(given)) {
        if (!['tables', 'files', 'secrets'].includes(key)) problems.push(`${where}.sensitive.${key} is not a setting (use tables, files, secrets)`);
      }
      // Naming any sensitive data replaces the default guess entirely.
      out.sensitive = { tables: [], files: [], secrets: [] };
      for (const key of ['tables', 'files', 'secrets'] as const) {
        if (given[key] === undefined) continue;
        const list = stringList(given[key]);
        if (list === undefined) problems.push(`${where}.sensitive.${key} must be a list of names (\`*\` is a wildcard), got ${describeValue(given[key])}`);
        else out.sensitive[key] = list;
      }
    }
  }
  for (const key of ['allowlist', 'inside'] as const) {
    const raw = input[key];
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) {
      problems.push(`${where}.${key} must be a list of hosts, host:port pairs or URLs, got ${describeValue(raw)}`);
      continue;
    }
    const endpoints: Endpoint[] = [];
    raw.forEach((item, i) => {
      const e = parseEndpoint(item);
      if (typeof e === 'string') problems.push(`${where}.${key}[${i}]: ${e}`);
      else endpoints.push(e);
    });
    // Explicit platform endpoints replace the embedded platform's default; the allowlist only adds.
    out[key] = endpoints;
  }
  for (const key of ['minSupport', 'minModel'] as const) {
    const raw = input[key];
    if (raw === undefined) continue;
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 1) out[key] = raw;
    else problems.push(`${where}.${key} must be a whole number from 1, got ${describeValue(raw)}`);
  }
  if (problems.length) throw new AnalysisConfigError(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  - ${problems.join('\n  - ')}`);
  return out;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : [value.trim()];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) return undefined;
  return value.map((v: string) => v.trim());
}

/** "host", "host:port", "[::1]:80", "http://host:port/path", or {host, port}; a string message when unreadable. */
export function parseEndpoint(value: unknown): Endpoint | string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { host, port } = value as { host?: unknown; port?: unknown };
    if (typeof host !== 'string' || host === '') return `needs a host, got ${describeValue(value)}`;
    if (port === undefined) return { host: host.toLowerCase() };
    if (!validPort(port)) return `port must be 1-65535, got ${describeValue(port)}`;
    return { host: host.toLowerCase(), port: Number(port) };
  }
  if (typeof value !== 'string' || value.trim() === '') return `must be a host, host:port or URL, got ${describeValue(value)}`;
  const text = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
      return port === undefined ? { host } : { host, port };
    } catch {
      return `${JSON.stringify(text)} is not a URL`;
    }
  }
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return v6[2] === undefined ? { host: v6[1].toLowerCase() } : portOr(v6[1], v6[2], text);
  const parts = text.split(':');
  if (parts.length === 2) return portOr(parts[0], parts[1], text);
  // a bare IPv6 address has several colons and no port
  return { host: text.toLowerCase() };
}

function portOr(host: string, port: string, text: string): Endpoint | string {
  if (host === '') return `${JSON.stringify(text)} has no host`;
  if (!/^\d+$/.test(port) || !validPort(Number(port))) return `${JSON.stringify(text)}: port must be 1-65535`;
  return { host: host.toLowerCase(), port: Number(port) };
}

const validPort = (p: unknown): boolean => typeof p === 'number' ? Number.isInteger(p) && p >= 1 && p <= 65535 : typeof p === 'string' && /^\d+$/.test(p) && validPort(Number(p));

/** `*` matches any run of characters (including `/`); everything else literally. */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, ignoreCase ? 'i' : '');
  return re.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `address:port` is one of the endpoints (a host without a port matches every port). */
export function endpointListed(list: readonly Endpoint[], address: string, port: number): boolean {
  const host = address.toLowerCase().replace(/^::ffff:/, '');
  return list.some((e) => e.host === host && (e.port === undefined || e.port === port));
}

/** A value as a configuration error names it: "a list", "a mapping", '"x"', "number 3". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
