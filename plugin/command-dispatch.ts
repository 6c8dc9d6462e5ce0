// `sls provenance …`: the positional-argument rewrite the framework needs, and each command handed
// to the command functions the standalone CLI runs too (run-command.ts; lms/ for analyze).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAnalyzeFormat, renderAnalyses } from '../lms/analyze-command';
import { analyzeFunctions } from '../lms/analyze-functions';
import { rewritePositionalArg } from './argv';
import { LINEAGE_COMMAND, LINEAGE_OPTION, mergeCommandOptions, TRACE_OPTION, traceBooleanOptions } from './commands';
import { PREFIX, type PluginContext } from './context';
import { PluginUserError } from './errors';
import { GENERATED_DIR, WRAPPER_FILE } from './generated-dir';
import { redirectHandlers } from './redirect';
import { runProvenanceCommand } from './run-command';
import type { Serverless } from './serverless';

/** Turns `provenance trace <id>` (and `lineage <id>`) into the option form before the framework re-reads argv. */
export function rewriteArgv(serverless: Serverless): void {
  for (const [command, option] of [['trace', TRACE_OPTION], [LINEAGE_COMMAND, LINEAGE_OPTION]] as const) {
    const result = rewritePositionalArg(process.argv.slice(2), {
      command: ['provenance', command],
      option,
      booleanOptions: traceBooleanOptions(command),
    });
    if ('error' in result) throw new serverless.classes.Error(result.error);
    if (result.changed) process.argv.splice(2, process.argv.length - 2, ...result.args);
  }
}

export async function runCommand(ctx: PluginContext, name: 'trace' | 'requests' | 'report' | 'lineage' | 'collect'): Promise<void> {
  const config = ctx.getConfig();
  const options = mergeCommandOptions(ctx.options, config, ctx.serverless.serviceDir);
  const positional = name === 'lineage' ? ctx.options[LINEAGE_OPTION] : ctx.options[TRACE_OPTION];
  await runProvenanceCommand(name, String(positional ?? ''), options, process.stdout, config.mode ?? 'push');
}

/** `sls provenance analyze [--function F] [--format text|dot|json]` */
export async function runAnalyze(ctx: PluginContext): Promise<void> {
  let format;
  try {
    format = parseAnalyzeFormat(ctx.options.format);
  } catch (err) {
    throw new PluginUserError(`${PREFIX} ${(err as Error).message}`);
  }
  const { service, serviceDir } = ctx.serverless;
  const names = Object.keys(service.functions ?? {});
  const only = ctx.options.function !== undefined ? [String(ctx.options.function)] : undefined;
  if (only && !names.includes(only[0]!)) {
    throw new PluginUserError(`${PREFIX} no function "${only[0]}" in this service (functions: ${names.join(', ') || 'none'})`);
  }
  const result = redirectHandlers(service.functions, {
    generatedDir: GENERATED_DIR,
    wrapperFile: WRAPPER_FILE,
    providerRuntime: service.provider.runtime,
    exclude: ctx.getConfig().exclude,
    only,
    fileExists: (file) => fs.existsSync(path.join(serviceDir, file)),
  });
  for (const { function: name, reason } of result.skipped) ctx.log.notice(`${PREFIX} not analysing "${name}": ${reason}`);
  const analyzed = analyzeFunctions(serviceDir, result.entries);
  process.stdout.write(renderAnalyses(analyzed, format));
  const failed = analyzed.filter((a) => !a.profile);
  if (failed.length) throw new PluginUserError(`${PREFIX} analysis failed for ${failed.map((a) => `${a.function} (${a.handlerFile})`).join(', ')}`);
}
