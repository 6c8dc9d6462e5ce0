// The `provenance` command line. `sls provenance …` (plugin/) calls the same command functions.
import { Command } from 'commander';
import { registerCommands } from './commands';

export function buildProgram(): Command {
  const program = new Command('provenance')
    .description('Provenance tracking for serverless applications on Apache OpenWhisk')
    .showHelpAfterError();
  registerCommands(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync(argv);
}
