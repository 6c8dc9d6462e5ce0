// Shared by the plugin's integration tests: throwaway services inside the repo (so
// `plugins: [serverless-provenance]` resolves through the package's self-reference, as for
// examples/hello-retail) and the real serverless v3 CLI run as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { packageRoot } from '../package/root';

export const ROOT = packageRoot(__dirname);
export const SLS_BIN = path.join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
export const WRAPPER_BUNDLE = path.join(ROOT, 'dist', 'wrapper', 'bundle.js');
export const PLUGIN_ENTRY = path.join(ROOT, 'dist', 'plugin', 'index.js');
const SCRATCH = path.join(ROOT, 'test', '.plugin-tmp');

/** The tests run the built plugin, as the CLI does: say how to build when it is not there. */
export function assertBuilt(): void {
  for (const file of [PLUGIN_ENTRY, WRAPPER_BUNDLE]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before these tests`);
  }
}

/** A service folder with the given files (path -> content), inside the repo unless `outside`. */
export function makeService(files: Record<string, string>, where: { outside?: boolean } = {}): string {
  const parent = where.outside ? os.tmpdir() : SCRATCH;
  fs.mkdirSync(parent, { recursive: true });
  // Keep git away from the scratch services (a commit taken while tests run must not pick them up).
  if (!where.outside) fs.writeFileSync(path.join(SCRATCH, '.gitignore'), '*\n');
  const dir = fs.mkdtempSync(path.join(parent, 'svc-'));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
}

/** Removes the given dirs. The (then empty) scratch folder stays: other test files may be using it. */
export function removeScratch(dirs: string[]): void {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}

/** Stops what a suite started, last first (one failing stop does not keep the rest running), then removes its scratch dirs. */
export async function stopAllThenRemove(stops: Array<() => unknown>, dirs: string[]): Promise<void> {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch {
      // keep stopping the rest
    }
  }
  removeScratch(dirs);
}

export interface SlsResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for messages that may go to either */
  output: string;
}

/** A HOME without ~/.wskprops or serverless state, shared by one test file. */
export function makeHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sls-home-'));
}

export function sls(
  cwd: string,
  args: string[],
  env: Record<string, string> & { HOME: string },
  timeoutMs = 90_000,
  /** sees the running child, e.g. to signal it */
  control?: (child: ChildProcess) => void,
): Promise<SlsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SLS_BIN, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
        SLS_INTERACTIVE_SETUP_DISABLE: '1',
        CI: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serverless ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
    control?.(child);
  });
}

/** Every file under dir (relative posix path -> sha256), skipping the framework's own .serverless/. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (child === '.serverless') continue;
      if (entry.isDirectory()) walk(child);
      else out[child] = sha(fs.readFileSync(path.join(dir, child)));
    }
  };
  walk('');
  return out;
}

export function sha(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The files in a zip: name -> content. */
export function readZip(file: string): Map<string, Buffer> {
  return new Map(new AdmZip(file).getEntries().filter((e) => !e.isDirectory).map((e) => [e.entryName, e.getData()]));
}
