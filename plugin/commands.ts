// `sls provenance trace <reqId>` and `sls provenance requests`: the command definitions the
// framework needs, and the option merge (CLI flags over custom.provenance). The work itself is
// done by the same command functions as the standalone `provenance` CLI (cli/commands/).
import * as path from 'node:path';
import type { ProvenanceConfig } from './config';
import type { AnalysisConfigInput } from '../upg/analyses/config';
import type { CommandDefinition, CommandOption } from './serverless';

const STORE_OPTIONS: Record<string, CommandOption> = {
  store: { usage: 'Local store directory (default: custom.provenance.store, $PROVENANCE_STORE or ./.provenance)', type: 'string' },
  endpoint: { usage: 'DynamoDB endpoint URL, to read a real DynamoDB instead of the local store', type: 'string' },
  table: { usage: 'DynamoDB table name (default: custom.provenance.table or "provenance")', type: 'string' },
  region: { usage: 'AWS region of the DynamoDB endpoint', type: 'string' },
  json: { usage: 'Print JSON instead of text', type: 'boolean' },
  // reading is scoped to the namespace of the OpenWhisk key serverless-openwhisk deploys with
  operator: { usage: "Read every namespace with the store's operator key (default: $PROVENANCE_OPERATOR_KEY when given without a value)", type: 'string' },
};

export const TRACE_OPTION = 'reqId';
export const LINEAGE_COMMAND = 'lineage';
export const LINEAGE_OPTION = 'entity';

export const PROVENANCE_COMMANDS: Record<string, CommandDefinition> = {
  provenance: {
    usage: 'Provenance of the requests this service served (serverless-provenance)',
    type: 'container',
    commands: {
      trace: {
        usage: 'Print the provenance graph of one request: serverless provenance trace <reqId>',
        lifecycleEvents: ['trace'],
        options: {
          [TRACE_OPTION]: {
            usage: 'Request id (OpenWhisk transaction id); may also be given as the word after "trace"',
            type: 'string',
            required: true,
          },
          wait: { usage: 'Wait until the graph is complete, at most this many seconds (e.g. --wait 30); exit 1 naming what is missing', type: 'string' },
          ...STORE_OPTIONS,
        },
      },
      analyze: {
        usage: "Print each function's log message templates and LMS-CFG (static analysis of its handler)",
        lifecycleEvents: ['analyze'],
        options: {
          function: { usage: 'Only this function', type: 'string', shortcut: 'f' },
          format: { usage: 'text (default), dot (Graphviz) or json', type: 'string' },
        },
      },
      report: {
        usage: 'List the incidents found as data arrived (container reuse, exfiltration), newest first',
        lifecycleEvents: ['report'],
        options: {
          format: { usage: 'text (default), json, markdown, html, dot, prov-json or prov-o', type: 'string' },
          out: { usage: 'Write the result to this file', type: 'string' },
          since: { usage: 'Only incidents detected at or after this time (ISO, epoch ms, or 30m/2h/7d ago)', type: 'string' },
          request: { usage: 'Only incidents that involve this request', type: 'string' },
          detect: { usage: 'First detect incidents again over the stored requests with custom.provenance.sensitive / allowlist', type: 'boolean' },
          analyze: { usage: 'Old name of --detect', type: 'boolean' },
          all: { usage: 'Print benign shared state in full too (by default one line per cached artifact)', type: 'boolean' },
          ...STORE_OPTIONS,
        },
      },
      [LINEAGE_COMMAND]: {
        usage: 'The history of one entity across requests: serverless provenance lineage <entityNodeId>',
        lifecycleEvents: ['lineage'],
        options: {
          [LINEAGE_OPTION]: { usage: 'Entity node id (file:…, item:…); may also be given as the word after "lineage"', type: 'string', required: true },
          format: { usage: 'text (default), json, markdown, html, dot, prov-json or prov-o', type: 'string' },
          out: { usage: 'Write the result to this file', type: 'string' },
          depth: { usage: 'How far the trace around the entity goes (default 3)', type: 'string' },
          ...STORE_OPTIONS,
        },
      },
      collect: {
        usage: 'Pull mode: read new activations and their logs through the OpenWhisk REST API into the provenance store',
        lifecycleEvents: ['collect'],
        options: {
          since: { usage: 'List from this time instead of where the last run left off (ISO, epoch ms, or 30m/2h/7d ago)', type: 'string' },
          ...STORE_OPTIONS,
        },
      },
      requests: {
        usage: 'List the requests in the provenance store, newest first',
        lifecycleEvents: ['requests'],
        options: {
          since: { usage: 'Only requests that started at or after this time (ISO date or ms since the epoch)', type: 'string' },
          until: { usage: 'Only requests that started before this time (ISO date or ms since the epoch)', type: 'string' },
          limit: { usage: 'At most this many requests', type: 'string' },
          ...STORE_OPTIONS,
        },
      },
    },
  },
};

/** Options of the framework itself that take no value (lib/cli/commands-schema/common-options). */
const FRAMEWORK_BOOLEANS = ['help', 'h', 'version', 'v', 'verbose'];

/** Every option of `provenance trace` (or another command) that takes no value, for the positional rewrite. */
export function traceBooleanOptions(command = 'trace'): Set<string> {
  const trace = PROVENANCE_COMMANDS.provenance.commands![command].options!;
  const own = Object.entries(trace).filter(([, o]) => o.type === 'boolean');
  return new Set([...FRAMEWORK_BOOLEANS, ...own.map(([name]) => name), ...own.flatMap(([, o]) => (o.shortcut ? [o.shortcut] : []))]);
}

/** What the CLI's read commands take: flags win over custom.provenance; a relative store is relative to the service. */
export interface StoreCommandOptions {
  store?: string;
  endpoint?: string;
  table?: string;
  region?: string;
  json?: boolean;
  since?: string;
  until?: string;
  limit?: string;
  /** report / lineage / trace walk */
  format?: string;
  out?: string;
  request?: string;
  /** report: detect incidents again first */
  detect?: boolean;
  /** report: print benign shared state in full too */
  all?: boolean;
  depth?: string;
  direction?: string;
  /** trace: poll until the graph is complete, at most this many seconds */
  wait?: string;
  /** custom.provenance.sensitive / allowlist, for `report --detect` */
  analysis?: AnalysisConfigInput;
  /** the store's operator key: read every namespace (true: from $PROVENANCE_OPERATOR_KEY) */
  operator?: string | boolean;
}

export function mergeCommandOptions(
  cli: Record<string, unknown>,
  config: ProvenanceConfig,
  serviceDir: string,
): StoreCommandOptions {
  const str = (key: string): string | undefined => (typeof cli[key] === 'string' ? (cli[key] as string) : undefined);
  const configStore = config.store !== undefined ? path.resolve(serviceDir, config.store) : undefined;
  const merged: StoreCommandOptions = {
    store: str('store') ?? configStore,
    endpoint: str('endpoint') ?? config.endpoint,
    table: str('table') ?? config.table,
    region: str('region') ?? config.region,
    json: cli.json === true,
    since: str('since'),
    until: str('until'),
    limit: str('limit'),
    format: str('format'),
    out: str('out'),
    request: str('request'),
    detect: cli.detect === true || cli.analyze === true ? true : undefined,
    all: cli.all === true ? true : undefined,
    depth: str('depth'),
    direction: str('direction'),
    wait: str('wait'),
    operator: str('operator') ?? (cli.operator === true ? true : undefined),
    analysis: config.sensitive !== undefined || config.allowlist !== undefined ? { sensitive: config.sensitive, allowlist: config.allowlist } : undefined,
  };
  // Leave out what nobody set, so the CLI's own defaults ($PROVENANCE_STORE, ./.provenance) apply.
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as StoreCommandOptions;
}
