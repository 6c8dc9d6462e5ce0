// Deploys the shop with the real Serverless Framework v3 CLI and the serverless-openwhisk provider,
// exactly as a user would (`serverless deploy` in this folder), against the given OpenWhisk.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { withFolderLock } from './folder-lock';

export interface DeployOptions {
  /** the folder holding serverless.yml */
  serviceDir: string;
  /** the package root whose node_modules holds serverless */
  packageRoot: string;
  apihost: string;
  auth: string;
  /** extra environment for serverless.yml's ${env:…} variables and the plugin */
  env?: Record<string, string>;
  /** each line the CLI prints */
  onLine?: (line: string) => void;
  timeoutMs?: number;
  /** aborting it stops the CLI */
  signal?: AbortSignal;
}

/** Pure: the environment the CLI runs with. No ~/.wskprops surprises: HOME is a fresh folder. */
export function deployEnv(options: Pick<DeployOptions, 'apihost' | 'auth' | 'env'>, home: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    // credentials or activation context inherited from elsewhere must not leak into this deploy
    if (key.startsWith('OW_') || key.startsWith('__OW_') || key.startsWith('WSK_')) continue;
    env[key] = value;
  }
  return {
    ...env,
    ...options.env,
    HOME: home,
    OW_APIHOST: options.apihost,
    OW_AUTH: options.auth,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    FORCE_COLOR: '0',
  };
}

export async function deployWithServerless(options: DeployOptions): Promise<void> {
  await withFolderLock(options.serviceDir, () => deployUnlocked(options), { ...(options.signal ? { signal: options.signal } : {}) });
}

async function deployUnlocked(options: DeployOptions): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'hello-retail-sls-home-'));
  const cli = join(options.packageRoot, 'node_modules', 'serverless', 'bin', 'serverless.js');
  const tail: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'deploy'], {
        cwd: options.serviceDir,
        env: deployEnv(options, home),
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.signal ? { signal: options.signal, killSignal: 'SIGTERM' as const } : {}),
      });
      const onLine = (line: string) => {
        // the framework colours some lines even when told not to
        const text = line.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
        if (text === '') return;
        tail.push(text);
        if (tail.length > 20) tail.shift();
        options.onLine?.(text);
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      const timeoutMs = options.timeoutMs ?? 300_000;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`serverless deploy did not finish within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      let interrupted = false;
      let escalation: NodeJS.Timeout | undefined;
      child.on('error', (err) => {
        if (err.name === 'AbortError') {
          // spawn already sent SIGTERM; wait for the CLI to end (then 'close' rejects), and insist if it does not
          interrupted = true;
          escalation = setTimeout(() => child.kill('SIGKILL'), 5_000);
          return;
        }
        clearTimeout(timer);
        reject(new Error(`cannot run the serverless CLI (${cli}): ${err.message}; run \`npm ci\` first`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        clearTimeout(escalation);
        if (interrupted) reject(new Error('serverless deploy interrupted'));
        else if (code === 0) resolve();
        else {
          const why = tail.filter((line) => /error|✖|cannot|unable|fail/i.test(line)).slice(-2).join(' / ') || tail.at(-1) || 'no output';
          reject(new Error(`serverless deploy exited with ${signal ?? `code ${code}`}: ${why}`));
        }
      });
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
