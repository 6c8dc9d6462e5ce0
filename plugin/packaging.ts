// Package time: redirect each Node.js handler to a generated entry that runs it inside the wrapper,
// and write the generated folder the framework zips (wrapper bundle, entries, LMS profiles, the
// deployment each function carries); afterwards remove it and give the service its definitions back.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_STORE_DIR } from '../store/types';
import { analyzeFunctions, describeAnalysis, profileFileName, type AnalyzedFunction } from '../lms/analyze-functions';
import type { ProvenanceConfig } from './config';
import { PREFIX, type PluginContext } from './context';
import { deploymentFileName, functionDeployment, hasAnalysisSettings } from './deployment';
import { PluginUserError } from './errors';
import { guardCleanup } from './exit-guard';
import { GENERATED_DIR, MARKER_FILE, removeGeneratedDir, WRAPPER_FILE, writeGeneratedDir } from './generated-dir';
import { PACKAGE_NAME } from '../package/root';
import { wrapperBundlePath } from './wrapper-bundle';
import { entryWith, redirectHandlers, restoreHandlers, type GeneratedEntry } from './redirect';

/**
 * Redirects the handlers (all, or `only`) and writes the generated folder. `trustArtifacts`
 * is for deploying a prepackaged artifact: what was wrapped then is what is deployed now,
 * whatever the configuration says today.
 */
export function prepare(ctx: PluginContext, only?: string[], trustArtifacts = false): void {
  const config = ctx.getConfig();
  if (!trustArtifacts && !config.enabled) {
    ctx.log.notice(`${PREFIX} disabled by custom.provenance.enabled; handlers are not wrapped`);
    return;
  }
  if (!ctx.isOpenWhisk()) {
    ctx.log.warning(`${PREFIX} provider "${ctx.serverless.service.provider.name}" is not supported (only openwhisk); handlers are not wrapped`);
    return;
  }
  const { service, serviceDir } = ctx.serverless;
  const result = redirectHandlers(service.functions, {
    generatedDir: GENERATED_DIR,
    wrapperFile: WRAPPER_FILE,
    providerRuntime: service.provider.runtime,
    exclude: trustArtifacts ? [] : config.exclude,
    only,
    fileExists: (file) => fs.existsSync(path.join(serviceDir, file)),
  });
  if (!trustArtifacts) {
    for (const { function: name, reason } of result.skipped) ctx.log.notice(`${PREFIX} not wrapping "${name}": ${reason}`);
  }
  // The settings travel inside the wrapped actions: with none wrapped, nothing can carry them.
  const settings = trustArtifacts ? undefined : ctx.serviceSettings();
  if (settings && hasAnalysisSettings(settings) && result.entries.length === 0 && only === undefined) {
    throw new PluginUserError(
      `${PREFIX} custom.provenance sets analysis settings (sensitive, allowlist or alerts), but no function of this service is wrapped, ` +
        'so nothing can carry them to the correlator. Wrap at least one Node.js function (see custom.provenance.exclude) or remove the settings.',
    );
  }
  if (result.entries.length === 0) return;

  // A last resort when the process ends without the framework's hooks (e.g. Ctrl-C mid-package).
  ctx.releaseGuard ??= guardCleanup(() => removeGeneratedDir(serviceDir));
  // Prepackaged artifacts already carry their profiles (read from the zips when deploying them).
  const analyzed = trustArtifacts ? [] : analyze(ctx, result.entries);
  const deployments = new Map<string, string>();
  const entries = result.entries.map((e) => {
    const a = analyzed.find((x) => x.function === e.function);
    const deployment = settings && functionDeployment(e.function, settings, a?.profile);
    if (deployment) deployments.set(deploymentFileName(e.function), JSON.stringify(deployment.encoded));
    if (deployment?.profileDropped) {
      ctx.log.warning(`${PREFIX} the LMS profile of "${e.function}" is too large to travel with the action; it reaches the correlator only through a store this deploy can write to`);
    }
    return entryWith(e, { generatedDir: GENERATED_DIR, wrapperFile: WRAPPER_FILE }, {
      ...(a?.hash ? { profileHash: a.hash } : {}),
      ...(deployment ? { deploymentFile: deploymentFileName(e.function) } : {}),
    });
  });
  const dir = writeGeneratedDir(serviceDir, entries, wrapperBundlePath());
  for (const a of analyzed) if (a.profile) fs.writeFileSync(path.join(dir, profileFileName(a.function)), JSON.stringify(a.profile));
  for (const [file, content] of deployments) fs.writeFileSync(path.join(dir, file), content);
  ctx.prepared ??= { patterns: service.package.patterns };
  Object.assign(service.functions, result.functions);
  const own = service.package.patterns ?? [];
  service.package.patterns = [...own, ...artifactPatterns(ctx, config).filter((p) => !own.includes(p))];
  const names = result.entries.map((e) => e.function);
  ctx.log.info(`${PREFIX} wrapped ${names.length} function(s): ${names.join(', ')}`);
}

/** LMS analysis of each wrapped function; failures are warnings naming the file, never errors. */
function analyze(ctx: PluginContext, entries: readonly GeneratedEntry[]): AnalyzedFunction[] {
  const analyzed = analyzeFunctions(ctx.serverless.serviceDir, entries);
  for (const a of analyzed) {
    if (a.profile && a.hash) {
      ctx.profiles.set(a.hash, a.profile);
      ctx.log.info(`${PREFIX} ${describeAnalysis(a)}`);
    } else {
      ctx.log.warning(`${PREFIX} ${describeAnalysis(a)}; "${a.function}" is deployed without an LMS profile (its log lines are stored raw)`);
    }
  }
  return analyzed;
}

/**
 * Patterns appended to the service's own (later patterns win): ship the generated folder,
 * never ship a local provenance store or this package itself (the wrapper is already copied).
 */
function artifactPatterns(ctx: PluginContext, config: ProvenanceConfig): string[] {
  const patterns = [`${GENERATED_DIR}/**`, `!${GENERATED_DIR}/${MARKER_FILE}`, `!${DEFAULT_STORE_DIR}/**`, `!node_modules/${PACKAGE_NAME}/**`];
  if (config.store !== undefined) {
    const rel = path.relative(ctx.serverless.serviceDir, path.resolve(ctx.serverless.serviceDir, config.store));
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) patterns.push(`!${rel.split(path.sep).join('/')}/**`);
  }
  return patterns;
}

/** Removes the generated folder and gives the service its own definitions back. */
export function cleanup(ctx: PluginContext): void {
  const prepared = ctx.prepared;
  ctx.prepared = undefined;
  removeGeneratedDir(ctx.serverless.serviceDir);
  ctx.releaseGuard?.();
  ctx.releaseGuard = undefined;
  if (!prepared) return;
  const { service } = ctx.serverless;
  Object.assign(service.functions, restoreHandlers(service.functions));
  service.package.patterns = prepared.patterns;
}

export function cleanupAfterFailure(ctx: PluginContext): void {
  try {
    cleanup(ctx);
  } catch (err) {
    // The command's own error is the one to report; say what is left behind.
    ctx.log.warning(`${PREFIX} could not remove ${GENERATED_DIR}/: ${(err as Error).message}`);
  }
}
