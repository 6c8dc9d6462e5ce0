// `sls package --package <dir>` for serverless-openwhisk. The framework's generic packaging
// always zips into <service>/.serverless/; the AWS provider moves the artifacts to --package
// afterwards (aws:common:moveArtifactsToPackage) and serverless-openwhisk does not, so its
// --package option is silently ignored. We move them, so that `sls deploy --package <dir>`
// finds them where the user put them.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FRAMEWORK_PACKAGE_DIR = '.serverless';

/** Moves every .zip from <serviceDir>/.serverless into `target` (relative to the service). Returns the moved names. */
export function moveArtifacts(serviceDir: string, target: string): string[] {
  const from = path.resolve(serviceDir, FRAMEWORK_PACKAGE_DIR);
  const to = path.resolve(serviceDir, target);
  if (from === to || !fs.existsSync(from)) return [];
  const zips = fs.readdirSync(from).filter((name) => name.endsWith('.zip'));
  fs.mkdirSync(to, { recursive: true });
  for (const name of zips) {
    try {
      fs.renameSync(path.join(from, name), path.join(to, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      fs.copyFileSync(path.join(from, name), path.join(to, name)); // another file system
      fs.rmSync(path.join(from, name));
    }
  }
  if (fs.readdirSync(from).length === 0) fs.rmdirSync(from);
  return zips;
}
