// <storeDir>/platform.json tells other commands that a platform is running and where (the CLI
// reads the running store through its `dynamodb` endpoint), and <storeDir>/platform/.wskprops is
// ready for WSK_CONFIG_FILE / `wsk` / serverless-openwhisk.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PlatformInfo {
  pid: number;
  apihost: string;
  auth: string;
  /** DynamoDB endpoint of the running store */
  dynamodb?: string;
  /** ms since the epoch */
  started: number;
  namespace?: string;
}

export function platformInfoPath(storeDir: string): string {
  return path.join(path.resolve(storeDir), 'platform.json');
}

export function writePlatformInfo(storeDir: string, info: PlatformInfo): string {
  const file = platformInfoPath(storeDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return file;
}

export function readPlatformInfo(storeDir: string): PlatformInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(platformInfoPath(storeDir), 'utf8')) as PlatformInfo;
  } catch {
    return undefined;
  }
}

/** Removes platform.json only if it is ours (a newer platform may have replaced it). */
export function removePlatformInfo(storeDir: string, pid = process.pid): void {
  const info = readPlatformInfo(storeDir);
  if (info && info.pid === pid) fs.rmSync(platformInfoPath(storeDir), { force: true });
}

export function writeWskProps(storeDir: string, apihost: string, auth: string, namespace: string): string {
  const file = path.join(path.resolve(storeDir), 'platform', '.wskprops');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `APIHOST=${apihost}\nAUTH=${auth}\nNAMESPACE=${namespace}\n`, { mode: 0o600 });
  return file;
}
