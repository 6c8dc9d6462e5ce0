// Runs `sls provenance trace|requests` through the standalone CLI's own command functions
// (cli/commands/), so both front ends open the same store and print the same thing.
import { CliError, errorLine } from '../cli/errors';
import type { Output } from '../cli/output';
import { runRequests } from '../cli/commands/requests';
import { runTrace } from '../cli/commands/trace';
import { runReport } from '../cli/commands/report';
import { runLineage } from '../cli/commands/lineage';
import { StoreError } from '../store/errors';
import { StoreInputError } from '../store/validate';
import type { StoreCommandOptions } from './commands';
import { PluginUserError } from './errors';

export async function runProvenanceCommand(
  name: 'trace' | 'requests' | 'report' | 'lineage',
  /** the request id (trace) or entity node id (lineage) */
  reqId: string,
  options: StoreCommandOptions,
  out: Output = process.stdout,
): Promise<void> {
  try {
    if (name === 'trace') await runTrace(reqId, options, out);
    else if (name === 'report') await runReport(options, out);
    else if (name === 'lineage') await runLineage(reqId, options, out);
    else await runRequests(options, out);
  } catch (err) {
    // The CLI's errors already say what is wrong and what to do: print them as such, without a stack.
    if (err instanceof CliError || err instanceof StoreError || err instanceof StoreInputError) {
      throw new PluginUserError(`provenance ${name}: ${errorLine(err)}`);
    }
    throw err;
  }
}
