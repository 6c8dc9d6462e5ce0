// <store dir>/platform.json: how a running embedded platform (`provenance local start`, the demo)
// tells the package's other processes (the CLI, `sls deploy` through the store's location) that it
// runs and where. They must go through its DynamoDB endpoint: dynalite's LevelDB can be opened by one
// process only. Written by invokers/local/platform-info.ts; read there and by store/ (pure here).
export const PLATFORM_INFO_FILE = 'platform.json';

export interface PlatformInfo {
  /** the platform's process: a reader believes the file only while it is alive */
  pid: number;
  /** DynamoDB endpoint of the running store */
  dynamodb: string;
  /** its OpenWhisk API and the default namespace's key */
  apihost: string;
  auth: string;
  /** ms since the epoch */
  started: number;
  namespace?: string;
  /** every namespace served, the default first (absent: only `namespace`) */
  namespaces?: string[];
}

/**
 * The file's content, or undefined when it is unreadable or names no process and no DynamoDB endpoint
 * (then it is treated like no running platform; if one does hold the store, opening it says so).
 */
export function parsePlatformInfo(text: string): PlatformInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<PlatformInfo>;
    if (typeof info.pid === 'number' && Number.isInteger(info.pid) && info.pid > 0 && typeof info.dynamodb === 'string') {
      return info as PlatformInfo;
    }
  } catch {
    // not JSON: as if absent
  }
  return undefined;
}
