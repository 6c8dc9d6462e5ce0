// <storeDir>/platform.json (its content is protocol/platform-info.ts) tells other commands that a
// platform is running and where (the CLI reads the running store through its `dynamodb` endpoint),
// and <storeDir>/platform/.wskprops is ready for WSK_CONFIG_FILE / `wsk` / serverless-openwhisk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatWskProps, parseWskProps } from '../../protocol/wskprops';
import { parsePlatformInfo, PLATFORM_INFO_FILE, type PlatformInfo } from '../../protocol/platform-info';

export function platformInfoPath(storeDir: string): string {
  return path.join(path.resolve(storeDir), PLATFORM_INFO_FILE);
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
    return parsePlatformInfo(fs.readFileSync(platformInfoPath(storeDir), 'utf8'));
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
  fs.writeFileSync(file, formatWskProps({ apihost, auth, namespace }), { mode: 0o600 });
  return file;
}

/** <storeDir>/platform/namespaces/: one `<namespace>.wskprops` per namespace the platform serves. */
export function namespacePropsDir(storeDir: string): string {
  return path.join(path.resolve(storeDir), 'platform', 'namespaces');
}

/**
 * Writes each namespace's own .wskprops (its key only), and removes those of namespaces this run
 * no longer serves, so that no key of an earlier run still reads as valid.
 */
export function writeNamespaceProps(storeDir: string, apihost: string, tenants: ReadonlyArray<{ namespace: string; auth: string }>): Map<string, string> {
  const dir = namespacePropsDir(storeDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = new Map<string, string>();
  for (const t of tenants) {
    const file = path.join(dir, `${t.namespace}.wskprops`);
    fs.writeFileSync(file, formatWskProps({ apihost, auth: t.auth, namespace: t.namespace }), { mode: 0o600 });
    files.set(t.namespace, file);
  }
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.wskprops') && !files.has(name.slice(0, -'.wskprops'.length))) fs.rmSync(path.join(dir, name), { force: true });
  }
  return files;
}

/** The namespaces and keys the last platform on this store served (empty when none wrote them). */
export function readNamespaceProps(storeDir: string): Array<{ namespace: string; auth: string; apihost: string }> {
  let names: string[];
  try {
    names = fs.readdirSync(namespacePropsDir(storeDir));
  } catch {
    return [];
  }
  const out: Array<{ namespace: string; auth: string; apihost: string }> = [];
  for (const name of names.filter((n) => n.endsWith('.wskprops'))) {
    const props = parseWskProps(fs.readFileSync(path.join(namespacePropsDir(storeDir), name), 'utf8'));
    if (props.NAMESPACE && props.AUTH) out.push({ namespace: props.NAMESPACE, auth: props.AUTH, apihost: props.APIHOST ?? '' });
  }
  return out;
}

/** The default namespace's <storeDir>/platform/.wskprops, when a platform wrote one. */
export function readWskProps(storeDir: string): { namespace: string; auth: string; apihost: string } | undefined {
  try {
    const props = parseWskProps(fs.readFileSync(path.join(path.resolve(storeDir), 'platform', '.wskprops'), 'utf8'));
    return props.NAMESPACE && props.AUTH ? { namespace: props.NAMESPACE, auth: props.AUTH, apihost: props.APIHOST ?? '' } : undefined;
  } catch {
    return undefined;
  }
}
