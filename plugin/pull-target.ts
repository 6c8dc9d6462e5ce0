// Where `sls provenance collect` pulls from: the OpenWhisk serverless-openwhisk deploys to, found the
// same way (OW_APIHOST / OW_AUTH / OW_NAMESPACE, else the wsk CLI's properties file: $WSK_CONFIG_FILE
// or ~/.wskprops). Pure apart from reading that file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PullCredentials {
  apihost?: string;
  auth?: string;
  namespace?: string;
}

/** Pure: KEY=value lines of a .wskprops. */
export function parseWskProps(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function pullCredentials(env: NodeJS.ProcessEnv = process.env): PullCredentials {
  let props: Record<string, string> = {};
  const file = env.WSK_CONFIG_FILE ?? path.join(env.HOME ?? os.homedir(), '.wskprops');
  try {
    props = parseWskProps(fs.readFileSync(file, 'utf8'));
  } catch {
    // no properties file: the environment alone
  }
  const pick = (...values: Array<string | undefined>) => values.find((v) => v !== undefined && v !== '');
  const apihost = pick(env.OW_APIHOST, props.APIHOST);
  const auth = pick(env.OW_AUTH, props.AUTH);
  const namespace = pick(env.OW_NAMESPACE, props.NAMESPACE);
  return { ...(apihost ? { apihost } : {}), ...(auth ? { auth } : {}), ...(namespace ? { namespace } : {}) };
}
