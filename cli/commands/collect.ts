// `provenance collect`: pull mode, for an OpenWhisk whose invoker nodes nobody can touch. Reads the
// activation records and logs that are new since the last run through the REST API and ingests them
// into the store (invokers/collect/), then detects incidents over the requests they touched. Also
// what `sls provenance collect` runs.
import type { Command } from 'commander';
import { ingestBatch } from '../../correlator/index';
import { detectForRequests } from '../../correlator/detect/after-ingest';
import { localAnalysisConfig } from '../../correlator/local-sink';
import { collect, PullError, restSource, type CollectCheckpoint, type CollectSummary } from '../../invokers/collect/index';
import { openStore } from '../../store/index';
import { resolveLocation } from '../../store/location';
import { addStoreOptions, describeLocation, storeOptionsOf, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { parseTime } from '../time';

export interface CollectCommandOptions extends StoreOptions {
  apihost?: string;
  auth?: string;
  namespace?: string;
  /** ISO time, epoch ms, or a duration ago ("2h"): list from here instead of the checkpoint */
  since?: string | number;
  json?: boolean;
}

/** Pure: the API host, credentials and namespace to pull from, from the options then the environment. */
export function pullTarget(options: CollectCommandOptions, env: NodeJS.ProcessEnv = process.env): { apihost: string; auth: string; namespace?: string } {
  const apihost = options.apihost ?? env.OW_APIHOST ?? env.__OW_API_HOST;
  const auth = options.auth ?? env.OW_AUTH ?? env.__OW_API_KEY;
  if (!apihost) throw new CliError('collect needs the OpenWhisk API host: pass --apihost URL (or set OW_APIHOST)', 2);
  if (!auth) throw new CliError('collect needs credentials: pass --auth KEY (or set OW_AUTH)', 2);
  const url = /^https?:\/\//.test(apihost) ? apihost : `https://${apihost}`;
  try {
    new URL(url);
  } catch {
    throw new CliError(`--apihost ${JSON.stringify(apihost)} is not a URL: pass e.g. https://openwhisk.example.com`, 2);
  }
  const namespace = options.namespace ?? env.OW_NAMESPACE;
  return { apihost: url, auth, ...(namespace ? { namespace } : {}) };
}

export async function runCollect(options: CollectCommandOptions, out: Output, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<CollectSummary> {
  const target = pullTarget(options);
  const since = options.since !== undefined ? parseTime(options.since, '--since') : undefined;
  const location = resolveLocation(storeOptionsOf(options as StoreOptions & Record<string, unknown>));
  // Collecting fills the store: a local store dir is created on first use, as the platform does.
  const store = await openStore(location, location.dir !== undefined ? { create: true } : {});
  try {
    const summary = await collect(
      {
        source: restSource({ ...target, log }),
        checkpoints: {
          getCollectCheckpoint: (key) => store.getCollectCheckpoint<CollectCheckpoint>(key),
          putCollectCheckpoint: (key, cp) => store.putCollectCheckpoint(key, cp),
        },
        ingest: (batch) => ingestBatch(batch, store, { detection: false }),
        writeFragment: (fragment) => store.writeFragment(fragment),
        detect: async (requests) => {
          const detection = await detectForRequests(store, requests, {
            // the platform's own API host is inside, never a sink; everything else comes from the deployed services' settings
            config: localAnalysisConfig([target.apihost, ...(location.endpoint ? [location.endpoint] : [])]),
            fixed: [],
            platform: target,
            log,
          });
          if (detection.error !== undefined) log(`collect: incident detection failed (run collect again to retry): ${detection.error}`);
        },
        log,
      },
      { key: `${target.apihost}#${target.namespace ?? '_'}`, ...(since !== undefined ? { since } : {}) },
    );
    if (options.json) out.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      out.write(
        `collected ${summary.collected} new activation(s) of ${summary.listed} listed from ${target.apihost} ` +
          `(${summary.requests.length} request(s)) ${describeLocation(location)}; the next run lists from ${new Date(summary.checkpoint.since).toISOString()}\n`,
      );
    }
    return summary;
  } catch (err) {
    if (err instanceof PullError) throw new CliError(`${err.message} (nothing collected by this run is lost: collect again)`, 1);
    throw err;
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  addStoreOptions(
    program
      .command('collect')
      .description('pull mode: read new activation records and logs through the OpenWhisk REST API and ingest them (wrapper-level provenance only, no kernel events)')
      .option('--apihost <url>', 'OpenWhisk API host (default: $OW_APIHOST)')
      .option('--auth <key>', 'OpenWhisk credentials uuid:key (default: $OW_AUTH)')
      .option('--namespace <ns>', 'namespace (default: the credentials\' own)')
      .option('--since <time>', 'list from this time instead of where the last run left off (ISO, epoch ms, or 30m/2h/7d ago)')
      .option('--json', 'print the run summary as JSON'),
  ).action(async (options: CollectCommandOptions) => {
    await runCollect(options, process.stdout);
  });
}
