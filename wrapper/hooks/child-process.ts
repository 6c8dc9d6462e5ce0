// Records child processes: spawn (command, arguments, pid) and exit (code or signal).
// spawn, exec, execFile and fork all end in ChildProcess#spawn, so one patch there covers
// them; the sync variants each end in the module's private spawnSync and are patched one by one.

import type childProcess = require('node:child_process');
import { currentActivation, safely, type ActivationContext } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';
import { whenBuiltinLoaded } from './module-load';

type AnyFn = (...args: any[]) => any;

function emitSpawn(ctx: ActivationContext, cmd: string, args: string[], pid: number | undefined): void {
  const fields: { op: 'spawn'; cmd: string; args: string[]; pid?: number } = { op: 'spawn', cmd, args };
  if (pid !== undefined) fields.pid = pid;
  emitRecord(ctx, 'proc', fields);
}

function emitExit(ctx: ActivationContext, cmd: string, pid: number | undefined, code: number | string | null | undefined): void {
  const fields: { op: 'exit'; cmd: string; pid?: number; code?: number | string } = { op: 'exit', cmd };
  if (pid !== undefined) fields.pid = pid;
  if (code !== null && code !== undefined) fields.code = code;
  emitRecord(ctx, 'proc', fields);
}

function patchAsyncSpawn(cp: typeof childProcess): void {
  patchMethod(cp.ChildProcess.prototype, 'spawn', (original: AnyFn) =>
    function (this: childProcess.ChildProcess, options: { file?: string; args?: string[] }, ...rest: unknown[]) {
      const ctx = currentActivation();
      const result = original.call(this, options, ...rest);
      if (!ctx) return result;
      const child = this;
      safely('child_process spawn', () => {
        const cmd = String(options?.file ?? '');
        // options.args starts with argv[0]
        const args = Array.isArray(options?.args) ? options.args.slice(1).map(String) : [];
        emitSpawn(ctx, cmd, args, child.pid);
        if (child.pid === undefined) return; // failed to start: Node emits 'error', we do not listen for it
        child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => safely('child_process exit', () => emitExit(ctx, cmd, child.pid, code ?? signal)));
      });
      return result;
    },
  );
}

/** (file, args?) for spawnSync/execFileSync, (command) through a shell for execSync. */
function syncCall(name: 'spawnSync' | 'execSync' | 'execFileSync', args: unknown[]): { cmd: string; argv: string[] } {
  if (name === 'execSync') {
    const opts = args[1] as { shell?: unknown } | undefined;
    const shell = typeof opts?.shell === 'string' ? opts.shell : process.platform === 'win32' ? 'cmd.exe' : '/bin/sh';
    return { cmd: shell, argv: ['-c', String(args[0])] };
  }
  return { cmd: String(args[0]), argv: Array.isArray(args[1]) ? args[1].map(String) : [] };
}

function patchSync(cp: typeof childProcess, name: 'spawnSync' | 'execSync' | 'execFileSync'): void {
  patchMethod(cp, name, (original: AnyFn) =>
    function (this: unknown, ...args: unknown[]) {
      const ctx = currentActivation();
      if (!ctx) return original.apply(this, args);
      let outcome: { pid?: number; code?: number | string | null } = {};
      try {
        const result = original.apply(this, args);
        if (name === 'spawnSync') outcome = { pid: result?.pid, code: result?.status ?? result?.signal };
        else outcome = { code: 0 };
        return result;
      } catch (e) {
        const err = e as { pid?: number; status?: number | null; signal?: string | null };
        outcome = { pid: err.pid, code: err.status ?? err.signal ?? 'error' };
        throw e;
      } finally {
        safely(`child_process.${name}`, () => {
          const { cmd, argv } = syncCall(name, args);
          emitSpawn(ctx, cmd, argv, outcome.pid || undefined);
          emitExit(ctx, cmd, outcome.pid || undefined, outcome.code);
        });
      }
    },
  );
}

export function installChildProcessHooks(): void {
  // patched when the action first requires it, not loaded here: child_process (and dgram with it)
  // cost about a millisecond of every cold start, and most actions never start a process
  whenBuiltinLoaded('child_process', (exports) => {
    const cp = exports as typeof childProcess;
    patchAsyncSpawn(cp);
    patchSync(cp, 'spawnSync');
    patchSync(cp, 'execSync');
    patchSync(cp, 'execFileSync');
  });
}
