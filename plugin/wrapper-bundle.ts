// The wrapper bundle every action artifact carries, found in this package's dist/ (package/root.ts
// finds the package), with the Serverless CLI's one-line user errors when it cannot be found.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_NAME, packageRoot } from '../package/root';
import { PluginUserError } from './errors';

/** The bundled wrapper that goes into every action artifact (built by `npm run build`). */
export function wrapperBundlePath(root: string = packageRootForUser()): string {
  const bundle = path.join(root, 'dist', 'wrapper', 'bundle.js');
  if (!fs.existsSync(bundle)) {
    throw new PluginUserError(
      `${PACKAGE_NAME} is not built: ${bundle} is missing. Run \`npm run build\` in ${root} and package again.`,
    );
  }
  return bundle;
}

/** The package root, as a user error the Serverless CLI shows in one line when it cannot be found. */
function packageRootForUser(): string {
  try {
    return packageRoot();
  } catch (err) {
    throw new PluginUserError(err instanceof Error ? err.message : String(err));
  }
}
