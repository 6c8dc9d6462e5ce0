// Runs a Node script (the `provenance` bin, the demo) as a child process without blocking this one,
// which may be serving the DynamoDB the child reads; collects its output and exit code, and kills it
// when it overruns, so a hung child fails the test instead of hanging it.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** the child's whole environment (default: this process's, without PROVENANCE_STORE unless given) */
  env?: NodeJS.ProcessEnv;
  /** default 30 s */
  timeoutMs?: number;
  /** signal sent on overrun (default SIGKILL) */
  killSignal?: NodeJS.Signals;
}

/** The repository's `provenance` bin. */
export const PROVENANCE_BIN = join(resolve(__dirname, '..'), 'bin', 'provenance.js');

export function runNode(args: string[], options: RunOptions): Promise<Run> {
  return new Promise((done, fail) => {
    const env = options.env ?? withoutStoreEnv();
    const child = spawn(process.execPath, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(options.killSignal ?? 'SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** This process's environment without PROVENANCE_STORE (so the CLI's own defaults are what is tested), plus `extra`. */
export function withoutStoreEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PROVENANCE_STORE;
  return { ...env, ...extra };
}
