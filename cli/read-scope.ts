// Whose provenance a read command may show. A reader is scoped to the namespace of the OpenWhisk
// key it holds, known only once the API host has authenticated that key; the operator (the
// store's operator key) reads every namespace. A store that never served more than one namespace
// and a reader with no credentials keep reading everything, as before there were tenants.
import type { StoreLocation } from '../store/types';
import { readOperatorKey, operatorKeyPath, sameKey } from '../store/operator-key';
import { namespacePropsDir, readNamespaceProps, readPlatformInfo, readWskProps } from '../invokers/local/platform-info';
import { CliError } from './errors';
import { apihostUrl, findCredentials } from './openwhisk-credentials';
import { namespaceOfKey } from './openwhisk-namespace';

export interface ReadCredentialOptions {
  apihost?: string;
  auth?: string;
  /** the operator's key (`--operator KEY`), or true to take it from $PROVENANCE_OPERATOR_KEY */
  operator?: string | boolean;
}

export type ReadScope =
  | { kind: 'namespace'; namespace: string }
  | { kind: 'all'; why: 'operator' | 'single-tenant' };

const HOW = 'give the namespace\'s key (--apihost URL --auth KEY, OW_APIHOST/OW_AUTH, or WSK_CONFIG_FILE) or the operator\'s (--operator KEY)';

export async function resolveReadScope(options: ReadCredentialOptions, location: StoreLocation, env: NodeJS.ProcessEnv = process.env): Promise<ReadScope> {
  if (options.operator !== undefined && options.operator !== false) return operatorScope(options.operator, location, env);

  const creds = findCredentials(options, env);
  const served = location.dir !== undefined ? namespacesServed(location.dir) : [];
  if (creds.auth === undefined && creds.apihost === undefined) {
    if (served.length > 1) {
      throw new CliError(`this store serves namespaces ${served.join(', ')}: say which one you read as: ${HOW}; each namespace's key is in ${namespacePropsDir(location.dir!)}`, 2);
    }
    return { kind: 'all', why: 'single-tenant' };
  }
  // half a credential (say, only OW_APIHOST in the environment) on a local store of one namespace: as before tenants
  if ((creds.auth === undefined || creds.apihost === undefined) && location.dir !== undefined && served.length <= 1) return { kind: 'all', why: 'single-tenant' };
  if (creds.auth === undefined) throw new CliError(`an OpenWhisk API host (from ${creds.apihostFrom}) but no key: give --auth KEY or OW_AUTH`, 2);
  if (creds.apihost === undefined) throw new CliError(`an OpenWhisk key (from ${creds.authFrom}) but no API host: give --apihost URL or OW_APIHOST`, 2);
  const url = apihostUrl(creds.apihost);
  if (!url) throw new CliError(`the OpenWhisk API host ${JSON.stringify(creds.apihost)} (from ${creds.apihostFrom}) is not a URL: give e.g. https://openwhisk.example.com`, 2);

  const answer = await namespaceOfKey(url, creds.auth);
  if (answer.ok) return { kind: 'namespace', namespace: answer.namespace };
  if (answer.refused) {
    throw new CliError(`the OpenWhisk key from ${creds.authFrom} was refused by ${url.origin} (${answer.status}): check the key, or use that namespace's own .wskprops`, 2);
  }
  // a local store's platform is stopped: the keys it last served are beside its data
  const known = location.dir !== undefined ? storeKeys(location.dir).find((k) => sameKey(creds.auth!, k.auth)) : undefined;
  if (known) return { kind: 'namespace', namespace: known.namespace };
  throw new CliError(`cannot check the OpenWhisk key from ${creds.authFrom}: ${url.origin} (from ${creds.apihostFrom}) did not answer (${answer.reason}); start it or fix the API host`, 1);
}

function operatorScope(operator: string | true, location: StoreLocation, env: NodeJS.ProcessEnv): ReadScope {
  // on DynamoDB the AWS credentials are the operator's: the table's IAM policy decides what they read
  if (location.dir === undefined) return { kind: 'all', why: 'operator' };
  const given = operator === true ? env.PROVENANCE_OPERATOR_KEY : operator;
  if (!given) throw new CliError(`--operator needs the store's operator key: --operator KEY or PROVENANCE_OPERATOR_KEY (the key is in ${operatorKeyPath(location.dir)})`, 2);
  const expected = readOperatorKey(location.dir);
  if (expected === undefined) throw new CliError(`${location.dir} has no operator key (${operatorKeyPath(location.dir)}): \`provenance local start\` makes one; without tenants, read without --operator`, 2);
  if (!sameKey(given, expected)) throw new CliError(`the operator key was refused for ${location.dir}: it is the one in ${operatorKeyPath(location.dir)}`, 2);
  return { kind: 'all', why: 'operator' };
}

/** The namespaces the store's platform served (its per-namespace key files), else its one. */
function namespacesServed(dir: string): string[] {
  const info = readPlatformInfo(dir);
  const names = new Set([...readNamespaceProps(dir).map((k) => k.namespace), ...(info?.namespaces ?? [])]);
  return [...names].sort();
}

/** Every key the store's platform handed out: each namespace's, the default .wskprops and platform.json's. */
function storeKeys(dir: string): Array<{ namespace: string; auth: string }> {
  const keys = readNamespaceProps(dir).map(({ namespace, auth }) => ({ namespace, auth }));
  const info = readPlatformInfo(dir);
  if (info?.auth && info.namespace) keys.push({ namespace: info.namespace, auth: info.auth });
  const props = readWskProps(dir);
  if (props) keys.push({ namespace: props.namespace, auth: props.auth });
  return keys;
}
