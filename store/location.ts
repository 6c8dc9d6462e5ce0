// Where the store is (pure): from command options and the environment to a StoreLocation, and from a
// store dir's platform.json to "talk to the running platform's DynamoDB" or "open it ourselves".
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_STORE_DIR, DEFAULT_TABLE, type StoreLocation } from './types';
import { StoreError } from './errors';
import type { PlatformInfo } from '../protocol/platform-info';

/** The options every read command (and `sls provenance …`) accepts. */
export interface StoreOptions {
  /** local store directory */
  store?: string;
  /** DynamoDB endpoint URL (a real DynamoDB, or any DynamoDB-compatible server) */
  endpoint?: string;
  table?: string;
  region?: string;
}

export type Env = Record<string, string | undefined>;

/** DynamoDB table names: 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.' */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export function resolveLocation(options: StoreOptions = {}, env: Env = process.env, cwd: string = process.cwd()): StoreLocation {
  const table = options.table ?? DEFAULT_TABLE;
  if (!TABLE_NAME.test(table)) {
    throw new StoreError(`bad --table ${JSON.stringify(table)}: a DynamoDB table name is 3-255 letters, digits, '_', '-' or '.'`, 2);
  }
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (options.endpoint !== undefined) {
    if (options.store !== undefined) {
      throw new StoreError('pass either --store DIR (a local store) or --endpoint URL (a DynamoDB), not both', 2);
    }
    const url = parseHttpUrl(options.endpoint);
    if (url === undefined) {
      throw new StoreError(
        `bad --endpoint ${JSON.stringify(options.endpoint)}: give an http(s) URL such as http://127.0.0.1:8000 or https://dynamodb.eu-west-1.amazonaws.com`,
        2,
      );
    }
    const location: StoreLocation = { endpoint: options.endpoint, table };
    const r = region ?? regionFromEndpoint(url);
    if (r !== undefined) location.region = r;
    return location;
  }
  const given = options.store ?? nonEmpty(env.PROVENANCE_STORE) ?? DEFAULT_STORE_DIR;
  const location: StoreLocation = { dir: isAbsolute(given) ? given : resolve(cwd, given), table };
  if (region !== undefined) location.region = region;
  return location;
}

function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** How a store dir is named in messages: as the user would type it. */
export function displayDir(dir: string, cwd: string = process.cwd()): string {
  if (dir === cwd) return '.';
  if (dir.startsWith(cwd + '/')) return `./${dir.slice(cwd.length + 1)}`;
  return dir;
}

/** dynamodb.<region>.amazonaws.com (and the FIPS / China variants) name their region */
export function regionFromEndpoint(url: URL): string | undefined {
  return /^dynamodb(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1];
}

export function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export type LocalPlan =
  | { use: 'running'; endpoint: string; pid: number }
  | { use: 'own'; create: boolean }
  | { use: 'missing' };

/**
 * What to do with a local store dir: talk to the DynamoDB of a running platform (LevelDB can be opened
 * only once, so it must), or start dynalite ourselves; refuse a store that does not exist unless asked
 * to create it.
 */
export function planLocal(facts: { platform?: Pick<PlatformInfo, 'pid' | 'dynamodb'>; pidAlive: boolean; dataExists: boolean; create: boolean }): LocalPlan {
  if (facts.platform && facts.pidAlive) return { use: 'running', endpoint: facts.platform.dynamodb, pid: facts.platform.pid };
  if (!facts.dataExists && !facts.create) return { use: 'missing' };
  return { use: 'own', create: facts.create };
}

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);
