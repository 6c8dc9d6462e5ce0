// The Serverless Framework v3 plugin: `plugins: [serverless-provenance]` is the one line a
// service adds. It wraps every Node.js handler at package time (pure redirect in redirect.ts,
// files in generated-dir.ts), deploys prepackaged artifacts (which serverless-openwhisk alone
// cannot), validates custom.provenance, and adds `sls provenance trace|requests`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { rewritePositionalArg } from './argv';
import { PluginUserError } from './errors';
import { LINEAGE_COMMAND, LINEAGE_OPTION, mergeCommandOptions, PROVENANCE_COMMANDS, TRACE_OPTION, traceBooleanOptions } from './commands';
import { parseProvenanceConfig, PROVENANCE_CONFIG_SCHEMA, ProvenanceConfigError, type ProvenanceConfig } from './config';
import { GENERATED_DIR, MARKER_FILE, removeGeneratedDir, WRAPPER_FILE, writeGeneratedDir } from './generated-dir';
import { guardCleanup } from './exit-guard';
import { moveArtifacts } from './package-dir';
import { findPackageRoot, PACKAGE_NAME, wrapperBundlePath } from './package-root';
import { entryWithProfile, redirectHandlers, restoreHandlers, type GeneratedEntry } from './redirect';
import { analyzeFunctions, describeAnalysis, profileFileName, type AnalyzedFunction } from './analyze-functions';
import { parseAnalyzeFormat, renderAnalyses } from './analyze-command';
import { profilesInZip, profileStoreLocation, writeProfiles } from './profile-store';
import { serviceConfigOf } from './service-settings';
import { writeServiceConfig } from './service-config-store';
import type { LmsProfile } from '../lms/types';
import { runProvenanceCommand } from './run-command';
import type { CliOptions, CommandDefinition, PluginLog, PluginUtils, Serverless, ServerlessFunction } from './serverless';

const PREFIX = `${PACKAGE_NAME}:`;
/** The local store's default folder (store/types.ts DEFAULT_STORE_DIR): never ship it in an artifact. */
const DEFAULT_STORE_DIR = '.provenance';

interface Prepared {
  patterns: string[] | undefined;
}

export class ServerlessProvenancePlugin {
  readonly hooks: Record<string, () => Promise<unknown>>;
  readonly commands: Record<string, CommandDefinition> = PROVENANCE_COMMANDS;
  private readonly log: PluginLog;
  private config: ProvenanceConfig | undefined;
  private prepared: Prepared | undefined;
  private releaseGuard: (() => void) | undefined;
  /** LMS profiles of what was packaged, by hash: written to the provenance store at deploy (issue 5) */
  private readonly profiles = new Map<string, LmsProfile>();

  constructor(
    private readonly serverless: Serverless,
    private readonly options: CliOptions = {},
    utils?: PluginUtils,
  ) {
    this.log = utils?.log ?? consoleLog();
    this.rewriteArgv();

    serverless.configSchemaHandler?.defineCustomProperties({
      properties: { provenance: PROVENANCE_CONFIG_SCHEMA },
    });

    const hooks: Record<string, () => unknown> = {
      // After variables are resolved: a bad custom.provenance stops every command with one clear error.
      'initialize': () => void this.getConfig(),
      // sls package, and sls deploy (which spawns package)
      'before:package:createDeploymentArtifacts': () => this.prepare(),
      'after:package:finalize': () => {
        this.cleanup();
        this.movePackagedArtifacts();
      },
      // sls deploy -f <fn>: serverless-openwhisk zips and compiles the one function in this event
      'before:deploy:function:packageFunction': () => {
        this.ensurePackageConfig(String(this.options.function));
        this.prepare([String(this.options.function)]);
      },
      'after:deploy:function:packageFunction': () => this.cleanup(),
      'after:deploy:deploy': () => this.storeDeployState(),
      'after:deploy:function:deploy': () => this.storeDeployState(),
      // sls deploy --package <dir>
      'before:deploy:deploy': () => this.compilePackaged(),
      'error': () => this.cleanupAfterFailure(),
      'provenance:trace:trace': () => this.runCommand('trace'),
      'provenance:requests:requests': () => this.runCommand('requests'),
      'provenance:report:report': () => this.runCommand('report'),
      'provenance:lineage:lineage': () => this.runCommand('lineage'),
      'provenance:analyze:analyze': () => this.runAnalyze(),
    };
    this.hooks = Object.fromEntries(Object.entries(hooks).map(([event, hook]) => [event, () => this.asUserError(hook)]));
  }

  /** Errors the user can fix become the framework's error type: one message, no stack trace. */
  private async asUserError(hook: () => unknown): Promise<unknown> {
    try {
      return await hook();
    } catch (err) {
      if (err instanceof PluginUserError || err instanceof ProvenanceConfigError) {
        throw new this.serverless.classes.Error(err.message);
      }
      throw err;
    }
  }

  /** Turns `provenance trace <id>` into `provenance trace --reqId <id>` before the framework re-reads argv. */
  private rewriteArgv(): void {
    const result = rewritePositionalArg(process.argv.slice(2), {
      command: ['provenance', 'trace'],
      option: TRACE_OPTION,
      booleanOptions: traceBooleanOptions(),
    });
    if ('error' in result) throw new this.serverless.classes.Error(result.error);
    if (result.changed) process.argv.splice(2, process.argv.length - 2, ...result.args);
    // `provenance lineage <entityNodeId>` the same way
    const lineage = rewritePositionalArg(process.argv.slice(2), {
      command: ['provenance', LINEAGE_COMMAND],
      option: LINEAGE_OPTION,
      booleanOptions: traceBooleanOptions(LINEAGE_COMMAND),
    });
    if ('error' in lineage) throw new this.serverless.classes.Error(lineage.error);
    if (lineage.changed) process.argv.splice(2, process.argv.length - 2, ...lineage.args);
  }

  private getConfig(): ProvenanceConfig {
    if (!this.config) {
      const { service } = this.serverless;
      try {
        this.config = parseProvenanceConfig(service.custom?.provenance, Object.keys(service.functions ?? {}));
      } catch (err) {
        if (err instanceof ProvenanceConfigError) {
          throw new this.serverless.classes.Error(`${err.message}\nFix custom.provenance in serverless.yml and run the command again.`);
        }
        throw err;
      }
    }
    return this.config;
  }

  private isOpenWhisk(): boolean {
    return this.serverless.service.provider.name === 'openwhisk';
  }

  /**
   * Redirects the handlers (all, or `only`) and writes the generated folder. `trustArtifacts`
   * is for deploying a prepackaged artifact: what was wrapped then is what is deployed now,
   * whatever the configuration says today.
   */
  private prepare(only?: string[], trustArtifacts = false): void {
    const config = this.getConfig();
    if (!trustArtifacts && !config.enabled) {
      this.log.notice(`${PREFIX} disabled by custom.provenance.enabled; handlers are not wrapped`);
      return;
    }
    if (!this.isOpenWhisk()) {
      this.log.warning(
        `${PREFIX} provider "${this.serverless.service.provider.name}" is not supported (only openwhisk); handlers are not wrapped`,
      );
      return;
    }
    const { service, serviceDir } = this.serverless;
    const result = redirectHandlers(service.functions, {
      generatedDir: GENERATED_DIR,
      wrapperFile: WRAPPER_FILE,
      providerRuntime: service.provider.runtime,
      exclude: trustArtifacts ? [] : config.exclude,
      only,
      fileExists: (file) => fs.existsSync(path.join(serviceDir, file)),
    });
    if (!trustArtifacts) {
      for (const { function: name, reason } of result.skipped) this.log.notice(`${PREFIX} not wrapping "${name}": ${reason}`);
    }
    if (result.entries.length === 0) return;

    // A last resort when the process ends without the framework's hooks (e.g. Ctrl-C mid-package).
    this.releaseGuard ??= guardCleanup(() => removeGeneratedDir(serviceDir));
    // Prepackaged artifacts already carry their profiles (read from the zips in compilePackaged).
    const analyzed = trustArtifacts ? [] : this.analyze(result.entries);
    const entries = result.entries.map((e) => {
      const a = analyzed.find((x) => x.function === e.function);
      return a?.hash ? entryWithProfile(e, { generatedDir: GENERATED_DIR, wrapperFile: WRAPPER_FILE }, a.hash) : e;
    });
    const dir = writeGeneratedDir(serviceDir, entries, wrapperBundlePath(findPackageRoot()));
    for (const a of analyzed) if (a.profile) fs.writeFileSync(path.join(dir, profileFileName(a.function)), JSON.stringify(a.profile));
    this.prepared ??= { patterns: service.package.patterns };
    Object.assign(service.functions, result.functions);
    const own = service.package.patterns ?? [];
    service.package.patterns = [...own, ...this.artifactPatterns(config).filter((p) => !own.includes(p))];
    const names = result.entries.map((e) => e.function);
    this.log.info(`${PREFIX} wrapped ${names.length} function(s): ${names.join(', ')}`);
  }

  /** LMS analysis of each wrapped function; failures are warnings naming the file, never errors. */
  private analyze(entries: readonly GeneratedEntry[]): AnalyzedFunction[] {
    const analyzed = analyzeFunctions(this.serverless.serviceDir, entries);
    for (const a of analyzed) {
      if (a.profile && a.hash) {
        this.profiles.set(a.hash, a.profile);
        this.log.info(`${PREFIX} ${describeAnalysis(a)}`);
      } else {
        this.log.warning(`${PREFIX} ${describeAnalysis(a)}; "${a.function}" is deployed without an LMS profile (its log lines are stored raw)`);
      }
    }
    return analyzed;
  }

  /** Deploy time: what the correlator needs from this deploy goes to the provenance store. */
  private async storeDeployState(): Promise<void> {
    await this.storeProfiles();
    await this.storeServiceConfig();
  }

  /**
   * Deploy time: the service's analysis settings (custom.provenance sensitive, allowlist, alerts) and
   * its actions, for the correlator's incident detection. Written on every deploy (even `deploy -f`,
   * which knows the whole service); unchanged settings write nothing.
   */
  private async storeServiceConfig(): Promise<void> {
    const config = this.getConfig();
    if (!this.isOpenWhisk() || !config.enabled) return;
    const { service } = this.serverless;
    const stage = String(this.options.stage ?? service.provider.stage ?? 'dev');
    const settings = serviceConfigOf({ service: service.service, stage, namespace: service.provider.namespace, functions: service.functions ?? {} }, config, Date.now());
    try {
      const location = profileStoreLocation(config, this.serverless.serviceDir);
      const where = `${location.endpoint ?? location.dir} (table ${location.table})`;
      const written = await writeServiceConfig(location, settings);
      if (written === 'no-store') {
        this.log.notice(
          `${PREFIX} no provenance store at ${location.dir}: the analysis settings of ${settings.service}/${stage} were not stored, so the correlator ` +
            'uses its defaults for them. Start the platform (or the correlator\'s store) first, or set custom.provenance.store / endpoint.',
        );
      } else {
        this.log.info(`${PREFIX} analysis settings of ${settings.service}/${stage} (${settings.actions.length} action(s)) ${written === 'written' ? 'stored' : 'unchanged'} in ${where}`);
      }
    } catch (err) {
      // Provenance never blocks a deploy; the correlator keeps the settings it had.
      this.log.warning(
        `${PREFIX} could not store the analysis settings of ${settings.service}/${stage} (${(err as Error).message}); incidents of this service ` +
          'are judged by the settings stored before. Check custom.provenance store/endpoint/table and deploy again.',
      );
    }
  }

  /** Deploy time: the packaged functions' profiles go to the provenance store, for the correlator. */
  private async storeProfiles(): Promise<void> {
    if (this.profiles.size === 0 || !this.isOpenWhisk()) return;
    let location;
    try {
      location = profileStoreLocation(this.getConfig(), this.serverless.serviceDir);
      const where = `${location.endpoint ?? location.dir} (table ${location.table})`;
      if (await writeProfiles(location, this.profiles)) this.log.info(`${PREFIX} stored ${this.profiles.size} LMS profile(s) in ${where}`);
      else {
        this.log.notice(
          `${PREFIX} no provenance store at ${location.dir}: the LMS profiles were not stored, so log lines will be kept raw. ` +
            'Start the platform (or the correlator\'s store) first, or set custom.provenance.store / endpoint.',
        );
      }
    } catch (err) {
      // Provenance never blocks a deploy; without its profile an action's log lines are stored raw.
      this.log.warning(
        `${PREFIX} could not store the LMS profiles (${(err as Error).message}); log lines of this deploy will be stored raw. ` +
          'Check custom.provenance store/endpoint/table and deploy again.',
      );
    }
  }

  /** `sls provenance analyze [--function F] [--format text|dot|json]` */
  private async runAnalyze(): Promise<void> {
    let format;
    try {
      format = parseAnalyzeFormat(this.options.format);
    } catch (err) {
      throw new PluginUserError(`${PREFIX} ${(err as Error).message}`);
    }
    const { service, serviceDir } = this.serverless;
    const names = Object.keys(service.functions ?? {});
    const only = this.options.function !== undefined ? [String(this.options.function)] : undefined;
    if (only && !names.includes(only[0]!)) {
      throw new PluginUserError(`${PREFIX} no function "${only[0]}" in this service (functions: ${names.join(', ') || 'none'})`);
    }
    const result = redirectHandlers(service.functions, {
      generatedDir: GENERATED_DIR,
      wrapperFile: WRAPPER_FILE,
      providerRuntime: service.provider.runtime,
      exclude: this.getConfig().exclude,
      only,
      fileExists: (file) => fs.existsSync(path.join(serviceDir, file)),
    });
    for (const { function: name, reason } of result.skipped) this.log.notice(`${PREFIX} not analysing "${name}": ${reason}`);
    const analyzed = analyzeFunctions(serviceDir, result.entries);
    process.stdout.write(renderAnalyses(analyzed, format));
    const failed = analyzed.filter((a) => !a.profile);
    if (failed.length) throw new PluginUserError(`${PREFIX} analysis failed for ${failed.map((a) => `${a.function} (${a.handlerFile})`).join(', ')}`);
  }

  /**
   * Patterns appended to the service's own (later patterns win): ship the generated folder,
   * never ship a local provenance store or this package itself (the wrapper is already copied).
   */
  private artifactPatterns(config: ProvenanceConfig): string[] {
    const patterns = [
      `${GENERATED_DIR}/**`,
      `!${GENERATED_DIR}/${MARKER_FILE}`,
      `!${DEFAULT_STORE_DIR}/**`,
      `!node_modules/${PACKAGE_NAME}/**`,
    ];
    if (config.store !== undefined) {
      const rel = path.relative(this.serverless.serviceDir, path.resolve(this.serverless.serviceDir, config.store));
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) patterns.push(`!${rel.split(path.sep).join('/')}/**`);
    }
    return patterns;
  }

  /** Removes the generated folder and gives the service its own definitions back. */
  private cleanup(): void {
    const prepared = this.prepared;
    this.prepared = undefined;
    removeGeneratedDir(this.serverless.serviceDir);
    this.releaseGuard?.();
    this.releaseGuard = undefined;
    if (!prepared) return;
    const { service } = this.serverless;
    Object.assign(service.functions, restoreHandlers(service.functions));
    service.package.patterns = prepared.patterns;
  }

  private cleanupAfterFailure(): void {
    try {
      this.cleanup();
    } catch (err) {
      // The command's own error is the one to report; say what is left behind.
      this.log.warning(`${PREFIX} could not remove ${GENERATED_DIR}/: ${(err as Error).message}`);
    }
  }

  /**
   * serverless-openwhisk's `deploy -f` calls the framework's packageFunction, which records the
   * zip in `functionObject.package.artifact` only when a `package` object exists; v3 no longer
   * adds one, so the compile step then fails reading `package.artifact` of undefined.
   */
  private ensurePackageConfig(name: string): void {
    const fn = this.serverless.service.functions?.[name];
    if (fn && fn.sequence === undefined && fn.package === undefined) fn.package = {};
  }

  /** `sls package --package <dir>` (or package.path): put the zips there, as the AWS provider does. */
  private movePackagedArtifacts(): void {
    const target = (this.options.package as string | undefined) ?? this.serverless.service.package.path;
    if (!this.isOpenWhisk() || !target) return;
    const moved = moveArtifacts(this.serverless.serviceDir, target);
    if (moved.length) this.log.info(`${PREFIX} moved ${moved.join(', ')} to ${target}`);
  }

  /**
   * `sls deploy --package <dir>`: the framework skips packaging, and serverless-openwhisk only
   * compiles actions while packaging, so it would deploy nothing (it crashes on the missing
   * `service.actions`). Run its compile steps over the prepackaged zips instead, redirecting
   * exactly the functions whose zip carries our entry file.
   */
  private async compilePackaged(): Promise<void> {
    const { service, serviceDir, pluginManager } = this.serverless;
    const packagePath = (this.options.package as string | undefined) ?? service.package.path;
    if (!this.isOpenWhisk() || !packagePath || service.actions) return;
    const dir = path.resolve(serviceDir, packagePath);
    const missing = (zip: string) =>
      new PluginUserError(
        `${PREFIX} ${zip} is missing. Package first with "serverless package --package ${packagePath}", then deploy it.`,
      );

    const artifactOf = new Map<string, string>();
    const packaged = service.getAllFunctions().filter((name) => {
      const fn = service.functions[name];
      return fn.sequence === undefined && fn.image === undefined && fn.package?.disable !== true;
    });
    if (service.package.individually) {
      for (const name of packaged) {
        const zip = path.join(dir, `${name}.zip`);
        if (!fs.existsSync(zip)) throw missing(zip);
        service.functions[name].package = { ...service.functions[name].package, artifact: zip };
        artifactOf.set(name, zip);
      }
    } else if (packaged.length) {
      const zip = path.join(dir, `${service.service}.zip`);
      if (!fs.existsSync(zip)) throw missing(zip);
      service.package.artifact = zip;
      for (const name of packaged) artifactOf.set(name, zip);
    }

    const listings = new Map<string, Set<string>>();
    const wrapped = packaged.filter((name) => {
      const zip = artifactOf.get(name)!;
      if (!listings.has(zip)) listings.set(zip, new Set(new AdmZip(zip).getEntries().map((e) => e.entryName)));
      return listings.get(zip)!.has(`${GENERATED_DIR}/${name}.js`);
    });
    if (wrapped.length) this.prepare(wrapped, true);
    for (const name of wrapped) {
      for (const { hash, profile } of profilesInZip(artifactOf.get(name)!, [name]).values()) this.profiles.set(hash, profile);
    }
    try {
      for (const event of ['package:compileFunctions', 'package:compileEvents']) {
        for (const name of [`before:${event}`, event, `after:${event}`]) {
          for (const { hook } of pluginManager.hooks[name] ?? []) await hook();
        }
      }
    } finally {
      this.cleanup();
    }
  }

  private async runCommand(name: 'trace' | 'requests' | 'report' | 'lineage'): Promise<void> {
    const options = mergeCommandOptions(this.options, this.getConfig(), this.serverless.serviceDir);
    const positional = name === 'lineage' ? this.options[LINEAGE_OPTION] : this.options[TRACE_OPTION];
    await runProvenanceCommand(name, String(positional ?? ''), options);
  }
}

function consoleLog(): PluginLog {
  return {
    notice: (...t) => console.error(...t),
    info: () => undefined,
    warning: (...t) => console.error(...t),
  };
}

export type { ServerlessFunction };
