// The wrapper's entry point, bundled to dist/wrapper/bundle.js and shipped in every action.
// The plugin generates, per function:
//   const { wrapHandler } = require('./<path>/bundle.js');
//   exports.main = wrapHandler(() => require('../handler.js'), 'hello.main');

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { begin, end, newActivation, outcomeOf, runActivation } from './activation';
import { installChildProcessHooks } from './hooks/child-process';
import { installConsoleHooks } from './hooks/console';
import { forgetKeySchemas, registerDynamodbPatchers } from './hooks/dynamodb';
import { installFsHooks, restoreFsPromisesProperty } from './hooks/fs';
import { installHttpHooks } from './hooks/http';
import { forgetBuiltinPatchers, installModuleLoadHooks, setArtifactRoot } from './hooks/module-load';
import { installNetHooks } from './hooks/net';
import { registerOpenwhiskPatcher } from './hooks/openwhisk';
import { registerWinstonPatcher } from './hooks/winston';
import { unpatchAll } from './patcher';
import { moduleClass } from './module-class';
import { resetStreamStates } from './emit';
import { forgetActivationTracking } from './context';
import { forgetSentDeployments, sendDeploymentOnce, type PackagedDeployment } from './deployment';
import { HandlerResolutionError, resolveHandler, type ResolvedHandler } from './resolve';

export interface WrapperOptions {
  /**
   * The action artifact's root directory: code loaded from inside it (or from any
   * node_modules) is the action's own; code loaded from elsewhere (e.g. /tmp) is recorded as an
   * fs `load`. Default: the nearest directory above the wrapper bundle holding a package.json.
   */
  artifactRoot?: string;
  /**
   * Record fs, net and child_process activity in the wrapper. Turn off where kernel capture
   * records syscalls. Default: on, unless PROVENANCE_KERNEL_CAPTURE=1.
   */
  syscallHooks?: boolean;
  /** Longest wait, at activation end, for record work still in flight (ms). Default 1000. */
  endWaitMs?: number;
  /** content hash of the action's LMS profile, named in every begin record; set by the plugin */
  profile?: string;
  /** the deployment the plugin packaged (settings and profile), sent once per process; see deployment.ts */
  deployment?: PackagedDeployment;
}

/** The OpenWhisk action entry point the wrapper returns. */
export type ActionMain = (params: Record<string, unknown>) => Promise<unknown>;

const INSTALL_KEY = Symbol.for('serverless-provenance.wrapper.installed');
const g = globalThis as unknown as Record<symbol, { syscallHooks: boolean } | undefined>;

function defaultArtifactRoot(): string | undefined {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Installs every hook once per process (idempotent; a second copy of the wrapper reuses the first's). */
export function installWrapper(options: WrapperOptions = {}): void {
  if (options.artifactRoot !== undefined) setArtifactRoot(options.artifactRoot);
  if (g[INSTALL_KEY]) return;
  if (options.artifactRoot === undefined) setArtifactRoot(defaultArtifactRoot());
  const syscallHooks = options.syscallHooks ?? process.env.PROVENANCE_KERNEL_CAPTURE !== '1';
  g[INSTALL_KEY] = { syscallHooks };
  installConsoleHooks();
  registerOpenwhiskPatcher();
  registerDynamodbPatchers();
  registerWinstonPatcher();
  installModuleLoadHooks();
  installHttpHooks();
  if (syscallHooks) {
    // these hooks load their builtins (child_process, net) only here: with kernel capture
    // they never load, and cost no cold start
    installFsHooks();
    installNetHooks();
    installChildProcessHooks();
  }
}

/** Removes every hook and restores the originals (tests, or an action that wants out). */
export function uninstallWrapper(): void {
  unpatchAll();
  restoreFsPromisesProperty();
  moduleClass().syncBuiltinESMExports();
  forgetKeySchemas();
  forgetBuiltinPatchers();
  resetStreamStates();
  forgetSentDeployments();
  forgetActivationTracking();
  g[INSTALL_KEY] = undefined;
}

/**
 * Wraps a user handler as an OpenWhisk `main(params)`.
 * @param load returns the handler module's exports (called once, lazily, inside the first activation)
 * @param exportPath dot-separated path of the handler inside those exports ("main", "handlers.purchase.main")
 */
export function wrapHandler(load: () => unknown, exportPath: string, options: WrapperOptions = {}): ActionMain {
  installWrapper(options);
  const endWaitMs = options.endWaitMs ?? 1000;
  let handler: ResolvedHandler | undefined;

  return function main(params: Record<string, unknown>): Promise<unknown> {
    // Synchronously, before anything can yield: the ids of *this* activation.
    const ctx = newActivation(params);
    // process.hrtime, not performance.now(): the global `performance` loads perf_hooks (nine
    // modules) on first use, in the first activation of every container
    const started = process.hrtime.bigint();
    return runActivation(ctx, async () => {
      begin(ctx, options.profile, options.deployment?.hash);
      sendDeploymentOnce(ctx, options.deployment);
      let value: unknown;
      let thrown: unknown;
      let threw = false;
      try {
        if (!handler) {
          try {
            handler = resolveHandler(load(), exportPath);
          } catch (e) {
            const message = e instanceof HandlerResolutionError ? e.message : `cannot load the handler module: ${e instanceof Error ? e.message : String(e)}`;
            value = { error: message };
          }
        }
        if (handler) value = await handler.fn.call(handler.self, params);
      } catch (e) {
        thrown = e;
        threw = true;
      }
      await end(ctx, outcomeOf({ value, thrown, threw }), Number(process.hrtime.bigint() - started) / 1e6, endWaitMs);
      if (threw) throw thrown;
      return value;
    });
  };
}

// The record parser and verifier (./records) are the readers' (agent, correlator), who import them
// from the source: left out of the bundle, which every container unpacks and compiles at its cold start.
