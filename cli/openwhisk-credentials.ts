// Which OpenWhisk credentials a reader holds, found the way `wsk` and serverless-openwhisk find
// them (pure apart from reading the properties file): --apihost/--auth, else OW_APIHOST/OW_AUTH,
// else the wsk properties file ($WSK_CONFIG_FILE, else ~/.wskprops), field by field.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseWskProps, type WskProps } from '../protocol/wskprops';

export interface OpenWhiskCredentials {
  apihost?: string;
  auth?: string;
  /** where each came from (a flag, a variable or the properties file), for messages */
  apihostFrom?: string;
  authFrom?: string;
}

export function findCredentials(options: { apihost?: string; auth?: string }, env: NodeJS.ProcessEnv = process.env): OpenWhiskCredentials {
  const { file, props } = readWskPropsFile(env);
  const pick = (flag: string | undefined, envName: string, prop: string): { value: string; from: string } | undefined => {
    for (const [value, from] of [[flag, `--${prop.toLowerCase()}`], [env[envName], envName], [props[prop], file]] as const) {
      if (value !== undefined && value !== '') return { value, from };
    }
    return undefined;
  };
  const apihost = pick(options.apihost, 'OW_APIHOST', 'APIHOST');
  const auth = pick(options.auth, 'OW_AUTH', 'AUTH');
  return {
    ...(apihost ? { apihost: apihost.value, apihostFrom: apihost.from } : {}),
    ...(auth ? { auth: auth.value, authFrom: auth.from } : {}),
  };
}

/** The wsk properties file `wsk` reads ($WSK_CONFIG_FILE, else ~/.wskprops) and its fields; none when it cannot be read. */
export function readWskPropsFile(env: NodeJS.ProcessEnv = process.env): { file: string; props: WskProps } {
  const file = env.WSK_CONFIG_FILE || path.join(env.HOME ?? os.homedir(), '.wskprops');
  try {
    return { file, props: parseWskProps(fs.readFileSync(file, 'utf8')) };
  } catch {
    return { file, props: {} };
  }
}

/** Pure: an API host as a base URL (`wsk` accepts a bare host and means https). */
export function apihostUrl(apihost: string): URL | undefined {
  try {
    return new URL(/^https?:\/\//.test(apihost) ? apihost : `https://${apihost}`);
  } catch {
    return undefined;
  }
}
