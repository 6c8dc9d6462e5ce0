// Where this package is installed: the folder of the package.json named "serverless-provenance",
// found by walking up from this file. Works from the .ts sources (vitest) and from dist/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PluginUserError } from './errors';

export const PACKAGE_NAME = 'serverless-provenance';

export function findPackageRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return dir;
      } catch {
        // an unreadable package.json on the way up is not ours; keep walking
      }
    }
    if (path.dirname(dir) === dir) {
      throw new PluginUserError(`${PACKAGE_NAME}: cannot find its own package.json above ${from}; reinstall ${PACKAGE_NAME}.`);
    }
  }
}

/** The bundled wrapper that goes into every action artifact (built by `npm run build`). */
export function wrapperBundlePath(root: string = findPackageRoot()): string {
  const bundle = path.join(root, 'dist', 'wrapper', 'bundle.js');
  if (!fs.existsSync(bundle)) {
    throw new PluginUserError(
      `${PACKAGE_NAME} is not built: ${bundle} is missing. Run \`npm run build\` in ${root} and package again.`,
    );
  }
  return bundle;
}
