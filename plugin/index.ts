// Entry point of the package (package.json "main"/"exports"): the Serverless Framework loads the
// default export as the plugin. The plugin is a table of the framework's lifecycle events and what
// each one does; every concern lives in a file of its own:
//   packaging.ts             wrap the handlers while packaging, restore the service after
//   deploy-delivery.ts       settings and profiles to a reachable store at deploy (they also travel in the actions)
//   workarounds/*.ts         what serverless-openwhisk does not do under v3, one file each
//   command-dispatch.ts      `sls provenance …`, through the command functions the standalone CLI runs
// The named exports are the plugin's pure parts.
import { PROVENANCE_COMMANDS } from './commands';
import { PROVENANCE_CONFIG_SCHEMA, ProvenanceConfigError } from './config';
import { consoleLog, PluginContext } from './context';
import { storeDeployState } from './deploy-delivery';
import { PluginUserError } from './errors';
import { cleanup, cleanupAfterFailure, prepare } from './packaging';
import { rewriteArgv, runAnalyze, runCommand } from './command-dispatch';
import { ensurePackageConfig } from './workarounds/deploy-function-package';
import { compilePackaged } from './workarounds/deploy-prepackaged';
import { movePackagedArtifacts } from './workarounds/package-path';
import { bindDroppedFeeds, rememberFeeds } from './workarounds/trigger-feeds';
import type { CliOptions, CommandDefinition, PluginUtils, Serverless } from './serverless';

// The AWS SDK warns under Node 20 about its future support policy every time a client is made
// (the store, at deploy and on `sls provenance …`): noise in the user's terminal, as in the CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Lifecycle event -> what the plugin does then. */
const HOOKS: Record<string, (ctx: PluginContext) => unknown> = {
  // After variables are resolved: a bad custom.provenance stops every command with one clear error.
  initialize: (ctx) => void ctx.getConfig(),
  // sls package, and sls deploy (which spawns package)
  'before:package:createDeploymentArtifacts': (ctx) => prepare(ctx),
  'after:package:finalize': (ctx) => {
    cleanup(ctx);
    movePackagedArtifacts(ctx);
  },
  // sls deploy -f <fn>: serverless-openwhisk zips and compiles the one function in this event
  'before:deploy:function:packageFunction': (ctx) => {
    ensurePackageConfig(ctx, String(ctx.options.function));
    prepare(ctx, [String(ctx.options.function)]);
  },
  'after:deploy:function:packageFunction': (ctx) => cleanup(ctx),
  // sls deploy --package <dir>
  'before:deploy:deploy': (ctx) => {
    rememberFeeds(ctx);
    return compilePackaged(ctx);
  },
  'after:deploy:deploy': async (ctx) => {
    await storeDeployState(ctx);
    await bindDroppedFeeds(ctx);
  },
  'after:deploy:function:deploy': (ctx) => storeDeployState(ctx),
  error: (ctx) => cleanupAfterFailure(ctx),
  'provenance:trace:trace': (ctx) => runCommand(ctx, 'trace'),
  'provenance:requests:requests': (ctx) => runCommand(ctx, 'requests'),
  'provenance:report:report': (ctx) => runCommand(ctx, 'report'),
  'provenance:lineage:lineage': (ctx) => runCommand(ctx, 'lineage'),
  'provenance:collect:collect': (ctx) => runCommand(ctx, 'collect'),
  'provenance:analyze:analyze': (ctx) => runAnalyze(ctx),
};

export class ServerlessProvenancePlugin {
  readonly hooks: Record<string, () => Promise<unknown>>;
  readonly commands: Record<string, CommandDefinition> = PROVENANCE_COMMANDS;

  constructor(serverless: Serverless, options: CliOptions = {}, utils?: PluginUtils) {
    const ctx = new PluginContext(serverless, options, utils?.log ?? consoleLog());
    rewriteArgv(serverless);
    serverless.configSchemaHandler?.defineCustomProperties({ properties: { provenance: PROVENANCE_CONFIG_SCHEMA } });
    this.hooks = Object.fromEntries(Object.entries(HOOKS).map(([event, hook]) => [event, () => asUserError(serverless, () => hook(ctx))]));
  }
}

/** Errors the user can fix become the framework's error type: one message, no stack trace. */
async function asUserError(serverless: Serverless, hook: () => unknown): Promise<unknown> {
  try {
    return await hook();
  } catch (err) {
    if (err instanceof PluginUserError || err instanceof ProvenanceConfigError) throw new serverless.classes.Error(err.message);
    throw err;
  }
}

export default ServerlessProvenancePlugin;
export { redirectHandlers, restoreHandlers } from './redirect';
export type { FunctionDefinition, GeneratedEntry, RedirectOptions, RedirectResult, SkippedFunction } from './redirect';
export { rewritePositionalArg } from './argv';
export { parseProvenanceConfig, PROVENANCE_CONFIG_SCHEMA, ProvenanceConfigError } from './config';
export type { ProvenanceConfig } from './config';
export type { ServerlessFunction } from './serverless';
