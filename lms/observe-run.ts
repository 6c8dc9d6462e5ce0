// Runs one exported function of a JavaScript file in a child process of its own and returns what it
// printed, stdout and stderr merged in write order (as a container's output reaches the agent),
// one entry per line. The only side effect of the false-deviation measurement: the analyser's
// claims are checked against what real code really prints.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export interface ObservedRun {
  lines: string[];
  /** the function threw or its promise rejected (the activation failed: it may stop anywhere) */
  failed: boolean;
  /** the process did not finish within the time limit (its lines so far are kept) */
  timedOut: boolean;
}

export interface RunRequest {
  file: string;
  /** export to call; "." calls the module itself (module.exports = fn) */
  exportName: string;
  /** JSON arguments */
  args: unknown[];
  timeoutMs?: number;
  /** extra module search path (the fixture's own dependencies) */
  nodePath?: string;
}

/** Marks the function's outcome on fd 3, apart from its output, so no printed line can forge it. */
const HARNESS = `(() => {
const fs = require('fs');
const [file, name, argsJson] = process.argv.slice(1);
const done = (failed) => { try { fs.writeSync(3, failed ? 'failed' : 'ok'); } catch {} };
let fn;
try {
  const m = require(file);
  fn = name === '.' ? m : m[name];
} catch (e) { console.error(String(e && e.message)); done(true); return; }
Promise.resolve()
  .then(() => {
    const args = JSON.parse(argsJson);
    try { return fn(...args); } catch (e) {
      if (e instanceof TypeError && /without 'new'|is not a constructor/.test(e.message)) return new fn(...args);
      throw e;
    }
  })
  .then(() => done(false), () => done(true));
})();
`;

export function observeRun(req: RunRequest): ObservedRun {
  // sh merges stderr into stdout (one pipe, so the order is the write order); fd 3 carries the outcome
  const r = spawnSync('sh', ['-c', 'exec "$0" -e "$1" "$2" "$3" "$4" 2>&1', process.execPath, HARNESS, path.resolve(req.file), req.exportName, JSON.stringify(req.args)], {
    encoding: 'utf8',
    cwd: path.dirname(path.resolve(req.file)),
    timeout: req.timeoutMs ?? 5000,
    killSignal: 'SIGKILL',
    env: { ...process.env, NODE_PATH: req.nodePath ?? '', NODE_OPTIONS: '', FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const out = String(r.output?.[1] ?? '');
  const outcome = String(r.output?.[3] ?? '');
  const lines = out.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return { lines, failed: outcome !== 'ok', timedOut };
}
