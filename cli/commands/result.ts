// What every document-producing command (trace, report, lineage) shares: which format was asked for
// (`--format`, with `--json` as its alias) and where the result goes (the output, or `--out FILE`).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOutputFormat, type OutputFormat } from '../../upg/export/index';
import type { Output } from '../output';
import { CliError } from '../errors';

/** `--format`, with `--json` as its alias; exit 2 on an unknown format or a contradiction. */
export function resultFormat(options: { json?: boolean; format?: string }): OutputFormat {
  if (options.format === undefined || options.format === null) return options.json ? 'json' : 'text';
  let format: OutputFormat;
  try {
    format = parseOutputFormat(options.format);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (options.json && format !== 'json') throw new CliError(`--json and --format ${format} contradict each other: pass one of them`, 2);
  return format;
}

/** The result to the output, or to `--out FILE` with one line on the output saying where it went. */
export function writeResult(text: string, format: OutputFormat, file: string | undefined, out: Output): void {
  if (file === undefined || file === '') {
    out.write(text);
    return;
  }
  const path = resolve(file);
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new CliError(`cannot write ${format} to ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (does its folder exist?)`);
  }
  out.write(`wrote ${format} to ${path}\n`);
}
