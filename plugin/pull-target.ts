// Where `sls provenance collect` pulls from: the OpenWhisk serverless-openwhisk deploys to, found the
// same way (OW_APIHOST / OW_AUTH / OW_NAMESPACE, else the wsk CLI's properties file, read as every
// reader reads it: cli/openwhisk-credentials.ts). Pure apart from reading that file.
import { readWskPropsFile } from '../cli/openwhisk-credentials';

export interface PullCredentials {
  apihost?: string;
  auth?: string;
  namespace?: string;
}

export function pullCredentials(env: NodeJS.ProcessEnv = process.env): PullCredentials {
  const { props } = readWskPropsFile(env);
  const pick = (...values: Array<string | undefined>) => values.find((v) => v !== undefined && v !== '');
  const apihost = pick(env.OW_APIHOST, props.APIHOST);
  const auth = pick(env.OW_AUTH, props.AUTH);
  const namespace = pick(env.OW_NAMESPACE, props.NAMESPACE);
  return { ...(apihost ? { apihost } : {}), ...(auth ? { auth } : {}), ...(namespace ? { namespace } : {}) };
}
