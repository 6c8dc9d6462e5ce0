// Where this package is installed: the folder of the package.json named "serverless-provenance",
// found by walking up from this file. The same walk works from the .ts sources (vitest, tsx) and
// from the compiled files under dist/, so every part that needs a file of the package (the
// wrapper's bundle, the action runtime, the kernel capture's build) starts from here.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PACKAGE_NAME = 'serverless-provenance';

const found = new Map<string, string>();

/** Throws, naming where it looked, when no package.json of this package is above `from`. */
export function packageRoot(from: string = __dirname): string {
  const start = path.resolve(from);
  const known = found.get(start);
  if (known) return known;
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isOurs(path.join(dir, 'package.json'))) {
      found.set(start, dir);
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`${PACKAGE_NAME}: cannot find its own package.json above ${start}; reinstall ${PACKAGE_NAME}`);
    }
  }
}

function isOurs(manifest: string): boolean {
  if (!fs.existsSync(manifest)) return false;
  try {
    return JSON.parse(fs.readFileSync(manifest, 'utf8')).name === PACKAGE_NAME;
  } catch {
    return false; // an unreadable package.json on the way up is not ours; keep walking
  }
}
