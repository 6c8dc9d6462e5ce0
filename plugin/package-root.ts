// The plugin's files of this package: where it is installed (package/root.ts) and the wrapper
// bundle every action artifact carries.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_NAME, packageRoot } from '../package/root';
import { PluginUserError } from './errors';

export { PACKAGE_NAME };

/** The package root, as a user error the Serverless CLI shows in one line when it cannot be found. */
export function findPackageRoot(from: string = __dirname): string {
  try {
    return packageRoot(from);
  } catch (err) {
    throw new PluginUserError(err instanceof Error ? err.message : String(err));
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
