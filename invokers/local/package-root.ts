// Finds the serverless-provenance package root, so that spawned processes run from <root>/dist/...
// whether the caller is a .ts source under vitest/tsx or the compiled file under dist/.
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'serverless-provenance';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return (cached = dir);
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${__dirname}`);
    dir = parent;
  }
}

/** The compiled action runtime that every container runs (`npm run build` produces it). */
export function runtimeScript(): string {
  const script = path.join(packageRoot(), 'dist', 'invokers', 'local', 'runtime', 'server.js');
  if (!fs.existsSync(script)) {
    throw new Error(`the action runtime is not built (${script} is missing): run \`npm run build\` first`);
  }
  return script;
}
