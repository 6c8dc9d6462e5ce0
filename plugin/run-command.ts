// Runs `sls provenance trace|requests` through the standalone CLI's own command functions
// (cli/commands/), so both front ends open the same store and print the same thing.
import { CliError, errorLine } from '../cli/errors';
import type { Output } from '../cli/output';
import { runRequests } from '../cli/commands/requests';
import { runTrace } from '../cli/commands/trace';
import { runReport } from '../cli/commands/report';
import { runLineage } from '../cli/commands/lineage';
import { runCollect } from '../cli/commands/collect';
import { pullCredentials } from './pull-target';
import { StoreError } from '../store/errors';
import { StoreInputError } from '../store/validate';
import type { StoreCommandOptions } from './commands';
import { PluginUserError } from './errors';

export async function runProvenanceCommand(
  name: 'trace' | 'requests' | 'report' | 'lineage' | 'collect',
  /** the request id (trace) or entity node id (lineage) */
  reqId: string,
  options: StoreCommandOptions,
  out: Output = process.stdout,
  /** custom.provenance.mode: in pull mode, trace first collects what is new */
  mode: 'push' | 'pull' = 'push',
): Promise<void> {
  try {
    if (name === 'collect' || (name === 'trace' && mode === 'pull')) {
      // the collect summary goes to stderr before a trace, so the trace's own output stays clean
      const summaryOut: Output = name === 'collect' ? out : process.stderr;
      await runCollect({ ...pullCredentials(), ...storeOnly(options), ...(name === 'collect' ? collectOnly(options) : {}) }, summaryOut);
      if (name === 'collect') return;
    }
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

function storeOnly(options: StoreCommandOptions) {
  const { store, endpoint, table, region } = options;
  return Object.fromEntries(Object.entries({ store, endpoint, table, region }).filter(([, v]) => v !== undefined));
}

function collectOnly(options: StoreCommandOptions) {
  return { ...(options.since !== undefined ? { since: options.since } : {}), ...(options.json ? { json: true } : {}) };
}
