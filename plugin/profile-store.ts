// Deploy time: the LMS profiles of the deployed functions go to the provenance store, where
// the correlator finds them by the hash each begin record names. The store is found like the CLI
// finds it: custom.provenance endpoint/table/store, else $PROVENANCE_STORE or ./.provenance (talking
// to a running platform's DynamoDB when its platform.json says one runs).
import * as fs from 'node:fs';
import AdmZip from 'adm-zip';
import { openStore } from '../store/index';
import { resolveLocation } from '../store/location';
import type { StoreLocation } from '../store/types';
import type { LmsProfile } from '../lms/types';
import { mergeCommandOptions } from './commands';
import type { ProvenanceConfig } from './config';
import { GENERATED_DIR } from './generated-dir';
import { profileFileName } from '../lms/analyze-functions';
import { profileHash } from '../lms/profile-hash';

export function profileStoreLocation(config: ProvenanceConfig, serviceDir: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const { store, endpoint, table, region } = mergeCommandOptions({}, config, serviceDir);
  return resolveLocation({ store, endpoint, table, region }, env, serviceDir);
}

/** False for a local store dir that does not exist: no platform or correlator has used it yet. */
export function storeThere(location: StoreLocation): boolean {
  return location.dir === undefined || fs.existsSync(location.dir);
}

/**
 * Writes the profiles; false (nothing written) when the location is a local store dir that does not
 * exist: no platform or correlator has used it, so a deploy does not create one just for profiles.
 */
export async function writeProfiles(location: StoreLocation, profiles: ReadonlyMap<string, LmsProfile>): Promise<boolean> {
  if (profiles.size === 0) return true;
  if (!storeThere(location)) return false;
  const store = await openStore(location, { create: location.dir !== undefined ? false : undefined });
  try {
    await store.putProfiles(profiles);
  } finally {
    await store.close();
  }
  return true;
}

/** The profiles a packaged artifact carries (`sls deploy --package DIR`), by function. */
export function profilesInZip(zipFile: string, functions: readonly string[]): Map<string, { hash: string; profile: LmsProfile }> {
  const zip = new AdmZip(zipFile);
  const out = new Map<string, { hash: string; profile: LmsProfile }>();
  for (const fn of functions) {
    const entry = zip.getEntry(`${GENERATED_DIR}/${profileFileName(fn)}`);
    if (!entry) continue;
    const profile = JSON.parse(entry.getData().toString('utf8')) as LmsProfile;
    out.set(fn, { hash: profileHash(profile), profile });
  }
  return out;
}
