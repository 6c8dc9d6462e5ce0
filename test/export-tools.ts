// Running the real tools the export tests check against (Debian's python3 with python3-prov and
// python3-rdflib, graphviz's dot, chromium), installed by scripts/install-system-deps.sh. Each
// runs in its own process group, killed as a whole on timeout so no child outlives the test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Debian's python3 (a pyenv or venv python3 first on PATH lacks the Debian packages). */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
export const CHROMIUM = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : 'chromium';

export function runTool(command: string, args: string[], options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${err.message} (install it with scripts/install-system-deps.sh)`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
