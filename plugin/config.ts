// `custom.provenance` in serverless.yml: its JSON schema (registered with the framework so
// `configValidationMode: error` and editors know it) and our own validation. The framework
// only warns on schema errors by default (configValidationMode: warn), and a provenance
// setting that is silently wrong means silently missing provenance, so we fail instead.

export interface ProvenanceConfig {
  /** wrap handlers at package time (default true) */
  enabled: boolean;
  /** local store directory for `sls provenance …` (relative to the service dir) */
  store?: string;
  /** DynamoDB table name */
  table?: string;
  /** DynamoDB endpoint URL (a real DynamoDB instead of the local store) */
  endpoint?: string;
  /** AWS region for the endpoint */
  region?: string;
  /** functions to leave unwrapped */
  exclude: string[];
  /** sensitive data for the exfiltration analysis: {tables, files, secrets} (upg/analyses/config.ts) */
  sensitive?: { tables?: string[]; files?: string[]; secrets?: string[] };
  /** network sinks data may go to: host, host:port or URL */
  allowlist?: string[];
  /** where each new incident is delivered once: an action name, or a URL on the platform / loopback */
  alerts?: string | { action: string } | { url: string };
  /**
   * how provenance reaches the store: `push` (default: an agent on the invoker nodes, or the embedded
   * platform) or `pull` (`sls provenance collect` reads activations through the REST API; `trace` pulls first)
   */
  mode?: 'push' | 'pull';
}

import { analysisConfig, AnalysisConfigError, describeValue } from '../upg/analyses/config';
import { AlertConfigError, parseAlertHook } from '../correlator/detect/alerts';

/** DynamoDB's own rule for table names. */
const TABLE_NAME = '^[a-zA-Z0-9_.-]{3,255}$';

export const PROVENANCE_CONFIG_SCHEMA = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    store: { type: 'string', minLength: 1 },
    table: { type: 'string', pattern: TABLE_NAME },
    endpoint: { type: 'string', pattern: '^https?://' },
    region: { type: 'string', minLength: 1 },
    exclude: { type: 'array', items: { type: 'string', minLength: 1 } },
    sensitive: {
      type: 'object',
      properties: {
        tables: { type: 'array', items: { type: 'string', minLength: 1 } },
        files: { type: 'array', items: { type: 'string', minLength: 1 } },
        secrets: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
      additionalProperties: false,
    },
    allowlist: { type: 'array', items: { type: 'string', minLength: 1 } },
    mode: { enum: ['push', 'pull'] },
    alerts: {
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'object', properties: { action: { type: 'string', minLength: 1 } }, required: ['action'], additionalProperties: false },
        { type: 'object', properties: { url: { type: 'string', pattern: '^https?://' } }, required: ['url'], additionalProperties: false },
      ],
    },
  },
  additionalProperties: false,
} as const;

const KEYS = Object.keys(PROVENANCE_CONFIG_SCHEMA.properties);

export class ProvenanceConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid custom.provenance: ${problems[0]}`
        : `Invalid custom.provenance:\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'ProvenanceConfigError';
  }
}

/**
 * Validates `custom.provenance` (absent means all defaults) against the service's function
 * names. Throws ProvenanceConfigError listing every problem, each naming the key and the fix.
 */
export function parseProvenanceConfig(raw: unknown, functionNames: readonly string[]): ProvenanceConfig {
  if (raw === undefined || raw === null) return { enabled: true, exclude: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ProvenanceConfigError([
      `custom.provenance must be a mapping of settings (${KEYS.join(', ')}), got ${describeValue(raw)}.`,
    ]);
  }
  const input = raw as Record<string, unknown>;
  const problems: string[] = [];
  const config: ProvenanceConfig = { enabled: true, exclude: [] };

  for (const key of Object.keys(input)) {
    if (!KEYS.includes(key)) {
      problems.push(`custom.provenance.${key} is not a setting; remove it (known settings: ${KEYS.join(', ')}).`);
    }
  }
  const { enabled, store, table, endpoint, region, exclude, mode } = input;
  if (mode !== undefined) {
    if (mode === 'push' || mode === 'pull') config.mode = mode;
    else problems.push(`custom.provenance.mode must be push (an agent ships provenance) or pull (sls provenance collect reads it through the REST API), got ${describeValue(mode)}.`);
  }
  if (enabled !== undefined) {
    if (typeof enabled === 'boolean') config.enabled = enabled;
    else problems.push(`custom.provenance.enabled must be true or false, got ${describeValue(enabled)}.`);
  }
  if (store !== undefined) {
    if (typeof store === 'string' && store.trim() !== '') config.store = store;
    else problems.push(`custom.provenance.store must be a directory path, got ${describeValue(store)}.`);
  }
  if (table !== undefined) {
    if (typeof table === 'string' && new RegExp(TABLE_NAME).test(table)) config.table = table;
    else {
      problems.push(
        `custom.provenance.table must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -), got ${describeValue(table)}.`,
      );
    }
  }
  if (endpoint !== undefined) {
    if (typeof endpoint === 'string' && isHttpUrl(endpoint)) config.endpoint = endpoint;
    else {
      problems.push(
        `custom.provenance.endpoint must be an http(s) URL such as http://127.0.0.1:8000, got ${describeValue(endpoint)}.`,
      );
    }
  }
  if (region !== undefined) {
    if (typeof region === 'string' && region.trim() !== '') config.region = region;
    else problems.push(`custom.provenance.region must be an AWS region name such as us-east-1, got ${describeValue(region)}.`);
  }
  if (exclude !== undefined) {
    if (!Array.isArray(exclude)) {
      problems.push(`custom.provenance.exclude must be a list of function names, got ${describeValue(exclude)}.`);
    } else {
      exclude.forEach((name, i) => {
        if (typeof name !== 'string') {
          problems.push(`custom.provenance.exclude[${i}] must be a function name, got ${describeValue(name)}.`);
        } else if (!functionNames.includes(name)) {
          problems.push(
            `custom.provenance.exclude[${i}] names "${name}", which is not a function of this service ` +
              `(functions: ${functionNames.join(', ') || 'none'}); fix or remove it.`,
          );
        } else {
          config.exclude.push(name);
        }
      });
    }
  }
  const { sensitive, allowlist, alerts } = input;
  if (sensitive !== undefined || allowlist !== undefined) {
    // the analyses' own validation, so the plugin and the correlator accept exactly the same settings
    try {
      analysisConfig({ sensitive, allowlist });
      if (sensitive !== undefined) config.sensitive = sensitive as ProvenanceConfig['sensitive'];
      if (allowlist !== undefined) config.allowlist = allowlist as string[];
    } catch (err) {
      if (!(err instanceof AnalysisConfigError)) throw err;
      problems.push(...err.message.replace(/^\d+ problems:\n {2}- /, '').split('\n  - ').map((p) => `${p}.`));
    }
  }
  if (alerts !== undefined) {
    try {
      if (parseAlertHook(alerts) !== undefined) config.alerts = alerts as ProvenanceConfig['alerts'];
    } catch (err) {
      if (!(err instanceof AlertConfigError)) throw err;
      problems.push(`${err.message}.`);
    }
  }
  if (problems.length) throw new ProvenanceConfigError(problems);
  return config;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
