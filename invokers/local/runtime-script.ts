// The compiled action runtime that every container of the embedded platform runs. Spawned
// processes run from <root>/dist/... whether the caller is a .ts source under vitest/tsx or the
// compiled file under dist/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../package/root';

/** The runtime's script (`npm run build` produces it); throws naming the command when it is missing. */
export function runtimeScript(): string {
  const script = path.join(packageRoot(), 'dist', 'invokers', 'local', 'runtime', 'server.js');
  if (!fs.existsSync(script)) {
    throw new Error(`the action runtime is not built (${script} is missing): run \`npm run build\` first`);
  }
  return script;
}
