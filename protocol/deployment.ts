// What a deployed action carries for the correlator: its service's analysis settings
// (custom.provenance sensitive / allowlist / alerts, and which actions belong to the service) and
// the action's LMS profile. The plugin writes it into the artifact at package time; the wrapper
// sends it on the action's stdout as `dep` records (protocol/wrapper-records.ts), once per process,
// right after the begin record of its first activation; the correlator puts the parts together,
// stores the settings and the profile, and judges with them. So the settings reach the correlator
// through the same stream as the records they judge, whatever store it writes to and wherever the
// service was deployed from.
//
// On the wire: the document's JSON text, gzipped, base64-encoded and cut into parts of at most
// DEPLOYMENT_PART_CHARS characters; the deployment is named by the hash of that JSON text, so the
// correlator can check that the parts it put together are the ones the plugin wrote.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

export const DEPLOYMENT_VERSION = 1;
/** base64 characters per `dep` record: with its other fields, well inside MAX_RECORD_BYTES */
export const DEPLOYMENT_PART_CHARS = 6000;
/** at most this many parts (about 280 KB gzipped): a larger deployment cannot be delivered */
export const MAX_DEPLOYMENT_PARTS = 48;

export interface DeploymentSettings {
  sensitive?: { tables?: string[]; files?: string[]; secrets?: string[] };
  allowlist?: string[];
  alerts?: string | { action: string } | { url: string };
}

export interface DeploymentDocument extends DeploymentSettings {
  v: typeof DEPLOYMENT_VERSION;
  service: string;
  stage: string;
  /** the service's actions as `<namespace>/<action name>`; namespace `_` is the deployer's default */
  actions: string[];
  /** when the service was packaged (ms): of two deployments of one service and stage, the later one wins */
  deployedAt: number;
  /** the action's LMS profile (lms/types.ts), when its analysis succeeded; its hash is the begin record's `lp` */
  profile?: unknown;
}

export interface EncodedDeployment {
  /** content hash, `dh…` */
  hash: string;
  parts: string[];
}

export function deploymentHash(json: string): string {
  return 'dh' + createHash('sha256').update(json, 'utf8').digest('hex').slice(0, 24);
}

/** Pure: the hash and the parts of a document; throws when it is too large to deliver. */
export function encodeDeployment(doc: DeploymentDocument): EncodedDeployment {
  const json = JSON.stringify(doc);
  const data = gzipSync(Buffer.from(json, 'utf8')).toString('base64');
  const parts: string[] = [];
  for (let at = 0; at < data.length; at += DEPLOYMENT_PART_CHARS) parts.push(data.slice(at, at + DEPLOYMENT_PART_CHARS));
  if (parts.length > MAX_DEPLOYMENT_PARTS) {
    throw new Error(
      `the deployment of ${doc.service}/${doc.stage} is ${data.length} characters encoded, over the ${MAX_DEPLOYMENT_PARTS * DEPLOYMENT_PART_CHARS} an action can deliver`,
    );
  }
  return { hash: deploymentHash(json), parts };
}

/** Pure: the document from its parts (in order), checked against its hash and its shape. */
export function decodeDeployment(hash: string, parts: readonly string[]): { doc: DeploymentDocument } | { error: string } {
  let json: string;
  try {
    json = gunzipSync(Buffer.from(parts.join(''), 'base64')).toString('utf8');
  } catch (err) {
    return { error: `deployment ${hash}: its parts do not unzip (${(err as Error).message})` };
  }
  if (deploymentHash(json) !== hash) return { error: `deployment ${hash}: its parts do not match its hash (altered or mixed up)` };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    return { error: `deployment ${hash}: not JSON (${(err as Error).message})` };
  }
  const problem = shapeProblem(value);
  return problem ? { error: `deployment ${hash}: ${problem}` } : { doc: value as DeploymentDocument };
}

function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const d = value as Record<string, unknown>;
  if (d.v !== DEPLOYMENT_VERSION) return `version ${JSON.stringify(d.v)} is not ${DEPLOYMENT_VERSION}`;
  if (typeof d.service !== 'string' || d.service === '') return 'service must be a non-empty string';
  if (typeof d.stage !== 'string' || d.stage === '') return 'stage must be a non-empty string';
  if (!Array.isArray(d.actions) || !d.actions.every((a) => typeof a === 'string')) return 'actions must be a list of strings';
  if (typeof d.deployedAt !== 'number' || !Number.isFinite(d.deployedAt)) return 'deployedAt must be a number';
  if (d.profile !== undefined && (typeof d.profile !== 'object' || d.profile === null || Array.isArray(d.profile))) return 'profile must be an object';
  return undefined;
}
