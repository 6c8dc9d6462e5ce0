// The `provenance` command line. `sls provenance …` (plugin/) calls the same command functions
// (cli/commands/*.ts `run…(…, options, out)`), not this parser.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';
import { errorLine, exitCodeOf } from './errors';

export function buildProgram(): Command {
  const program = new Command('provenance')
    .description('Provenance tracking for serverless applications on Apache OpenWhisk')
    .exitOverride()
    .configureOutput({
      // Usage errors keep the one-line shape of every other error.
      outputError: (text, write) => write(`provenance: ${text.replace(/^error: /, '').trim()} (see \`provenance --help\`)\n`),
    });
  // Registered after exitOverride/configureOutput, so every subcommand inherits them.
  registerCommands(program);
  return program;
}

/** Runs the command line; never throws: errors become one line on stderr and process.exitCode. */
export async function main(argv: string[] = process.argv): Promise<void> {
  // The AWS SDK warns on every run under Node 20 about its future support policy: noise for a CLI.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its usage error line.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`provenance: ${errorLine(err)}\n`);
    if (process.env.PROVENANCE_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = exitCodeOf(err);
  }
}
