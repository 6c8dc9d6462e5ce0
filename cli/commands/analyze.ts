// `provenance analyze <file> [--export main] [--format text|dot|json]`: the LMS templates and LMS-CFG
// of one action's handler source, the same analysis and output as `sls provenance analyze`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { analyzeFunction } from '../../lms/analyze-functions';
import { parseAnalyzeFormat, renderAnalyses } from '../../lms/analyze-command';
import { CliError } from '../errors';
import type { Output } from '../output';

export interface AnalyzeOptions {
  export?: string;
  format?: string;
}

export function runAnalyze(file: string, options: AnalyzeOptions, out: Output, cwd: string = process.cwd()): void {
  let format;
  try {
    format = parseAnalyzeFormat(options.format);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const full = path.resolve(cwd, file);
  if (!fs.existsSync(full) || !fs.statSync(full).isFile()) {
    throw new CliError(`no file ${file}: give the action's handler source file, e.g. \`provenance analyze actions/purchase.js --export main\``, 2);
  }
  const exportPath = options.export ?? 'main';
  const analysis = analyzeFunction(path.dirname(full), { function: path.basename(full).replace(/\.[^.]+$/, ''), handlerFile: path.basename(full), exportPath });
  out.write(renderAnalyses([analysis], format));
  if (!analysis.profile) throw new CliError(`analysis of ${file} failed: ${analysis.error}`);
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description("print an action's log message templates and LMS-CFG (static analysis of its handler source)")
    .argument('<file>', "the action's handler source file (.js, .cjs, .mjs, .ts)")
    .option('--export <name>', 'the handler export', 'main')
    .option('--format <format>', 'text (default), dot (Graphviz) or json')
    .action((file: string, options: AnalyzeOptions) => {
      runAnalyze(file, options, process.stdout);
    });
}
