// `npm run demo`: starts the local DynamoDB, the provenance store, the embedded OpenWhisk platform
// and the shop's network peers; deploys hello-retail with the real Serverless Framework CLI (whose
// only provenance line is `plugins: [serverless-provenance]`); sends benign shopping traffic;
// prints the provenance of one purchase; then drives the two attacks (container reuse,
// exfiltration through the workflow) against an attacker listening on 127.0.0.66, and ends with the
// incident report the correlator wrote by itself as the data arrived (terminal text, and an HTML
// page in the store directory). Stops everything it started, whatever happens.
//
//   npm run demo [-- --store DIR]        (default: $PROVENANCE_STORE, else ./.provenance)
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo } from '../../store/local';
import { openStore } from '../../store/index';
import { DEFAULT_STORE_DIR, DEFAULT_TABLE } from '../../store/types';
import { readPlatformInfo, removePlatformInfo, startPlatform, writePlatformInfo } from '../../invokers/local/index';
import { packageRoot } from '../../package/root';
import { createLocalSink } from '../../correlator/local-sink';
import { renderTree } from '../../upg/render/tree';
import { setupShop } from './setup';
import { startCardProcessor } from './card-processor';
import { startWebhookReceiver } from './webhook-receiver';
import { deployWithServerless } from './deploy';
import { demoPlan, driveTraffic, newRunId, purchaseToShow, type StepOutcome } from './traffic';
import { parseDemoArgs, type DemoOptions } from './demo-options';
import { maskCard, startAttackerServer } from './attacks';
import { checkReport, runAttacks } from './attack-run';
import { runReport } from '../../cli/commands/report';
import { pidAlive } from '../../store/pid-alive';

// serverless.yml's service, deployed to the default stage
const ACTION_PREFIX = 'hello-retail-dev-';
const LOCAL_REGION = 'us-east-1';
// dynalite accepts any credentials; the AWS SDK only needs some to sign requests
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** exit code after SIGINT/SIGTERM, as a shell reports an interrupted command */
const EXIT_INTERRUPTED = 130;

// The project runs on Node 20 (package.json engines); the SDK's notice about its releases of 2027
// would only bury the demo's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Things to stop, stopped last-started-first; each failure is reported and the rest still run. */
class Stack {
  private readonly items: Array<{ name: string; stop: () => unknown }> = [];
  push(name: string, stop: () => unknown): void {
    this.items.push({ name, stop });
  }
  async unwind(): Promise<boolean> {
    let clean = true;
    while (this.items.length > 0) {
      const { name, stop } = this.items.pop()!;
      try {
        await stop();
      } catch (err) {
        clean = false;
        console.error(`demo: stopping ${name} failed: ${message(err)}`);
      }
    }
    return clean;
  }
}

class Interrupted extends Error {}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function say(line: string): void {
  console.log(line);
}

function describeOutcome(outcome: StepOutcome): string {
  const mark = outcome.ok ? '✔' : '✘';
  const result = outcome.result;
  const detail =
    outcome.step.kind === 'purchase'
      ? `${result.status ?? 'failed'}${result.priceSource ? `, price from ${result.priceSource}` : ''}`
      : outcome.ok
        ? 'ok'
        : 'failed';
  return `  ${mark} ${outcome.step.label.padEnd(40)} ${outcome.requestId.padEnd(24)} ${detail}  (${outcome.ms} ms)`;
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const { storeDir } = options;
  const fromCwd = relative(process.cwd(), storeDir);
  const shownStore = fromCwd === '' ? '.' : fromCwd.startsWith('..') ? storeDir : fromCwd;
  const stack = new Stack();
  let doing = 'starting';

  // A signal aborts the step under way (the deploy, the traffic) and the demo then stops everything
  // it started on its normal failure path. A second signal gives up waiting.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      console.error(`demo: ${signal} again: exiting without waiting for the clean-up`);
      process.exit(EXIT_INTERRUPTED);
    }
    console.error(`demo: ${signal} received while ${doing}; stopping everything`);
    interrupt.abort(new Interrupted(signal));
  };
  const checkpoint = () => {
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say(`hello-retail demo (store: ${shownStore})`);
    doing = 'checking the store directory';
    const owner = readPlatformInfo(storeDir);
    if (owner && owner.pid !== process.pid && pidAlive(owner.pid)) {
      throw new Error(`a platform (pid ${owner.pid}) is already running on ${shownStore}: stop it first, or pass --store DIR`);
    }
    mkdirSync(storeDir, { recursive: true });

    doing = 'starting the local DynamoDB';
    const dynamo = await startLocalDynamo(storeDir);
    stack.push('the local DynamoDB', () => dynamo.stop());
    say(`▸ local DynamoDB on ${dynamo.endpoint} (data in ${join(shownStore, 'dynamodb')})`);
    checkpoint();

    doing = 'opening the provenance store';
    const store = await openStore({ endpoint: dynamo.endpoint, table: DEFAULT_TABLE, region: LOCAL_REGION }, { create: true });
    stack.push('the provenance store', () => store.close());
    checkpoint();

    doing = 'starting the card processor and the webhook receiver';
    const processor = await startCardProcessor();
    stack.push('the card processor', () => processor.stop());
    const webhook = await startWebhookReceiver();
    stack.push('the webhook receiver', () => webhook.stop());
    say(`▸ card processor on ${processor.url}, purchase webhook on ${webhook.url}`);
    const attacker = await startAttackerServer();
    stack.push('the attacker\'s server', () => attacker.stop());
    say(`▸ attacker listening on ${attacker.url} (outside the platform: only 127.0.0.1 is the platform's own)`);
    checkpoint();

    doing = 'starting the embedded OpenWhisk platform';
    const sink = createLocalSink({
      store,
      log: (line) => say(`  ${line.replace(/^correlator: /, 'correlator │ ')}`),
      // called only once batches arrive, after the platform has started
      platform: () => ({ apihost: platform.apihost, auth: platform.auth, namespace: platform.namespace }),
      inside: () => [dynamo.endpoint],
    });
    const platform = await startPlatform({
      storeDir,
      containerEnv: {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      // the correlator in this process, with hello-retail's deployed custom.provenance (batches only
      // come from containers, so `platform` is assigned by the time the sink asks for it)
      onBatch: sink,
      drain: sink.drain,
      log: (line) => say(`  platform │ ${line}`),
    });
    stack.push('the platform', () => platform.stop());
    // so that a concurrent `npx provenance …` reads this store through our DynamoDB endpoint
    writePlatformInfo(storeDir, { pid: process.pid, apihost: platform.apihost, auth: platform.auth, dynamodb: dynamo.endpoint, started: Date.now(), namespace: platform.namespace });
    stack.push('platform.json', () => removePlatformInfo(storeDir));
    say(`▸ OpenWhisk platform on ${platform.apihost}`);
    checkpoint();

    doing = 'creating the shop tables';
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    stack.push('the DynamoDB client', () => client.destroy());
    const shop = await setupShop(client);
    say(`▸ shop tables ready (${shop.created.length > 0 ? `created ${shop.created.length}` : 'already there'}), ${shop.seeded} products seeded`);
    checkpoint();

    doing = 'deploying hello-retail with `serverless deploy`';
    say('▸ serverless deploy (examples/hello-retail)');
    const deployStarted = Date.now();
    await deployWithServerless({
      serviceDir: __dirname,
      packageRoot: packageRoot(),
      apihost: platform.apihost,
      auth: platform.auth,
      env: { CARD_PROCESSOR_URL: processor.url, PURCHASE_WEBHOOK_URL: webhook.url, PROVENANCE_STORE: storeDir },
      onLine: (line) => say(`  sls │ ${line}`),
      signal: interrupt.signal,
    });
    say(`  deployed in ${((Date.now() - deployStarted) / 1000).toFixed(1)} s`);
    checkpoint();

    doing = 'sending shopping traffic';
    const runId = newRunId();
    say(`▸ shoppers at work (run ${runId})`);
    const access = { apihost: platform.apihost, auth: platform.auth, actionPrefix: ACTION_PREFIX };
    const outcomes = await driveTraffic(access, demoPlan(), runId, (o) => say(describeOutcome(o)), interrupt.signal);
    const failed = outcomes.filter((o) => !o.ok);
    if (failed.length > 0) {
      const first = failed[0];
      throw new Error(`${failed.length} request(s) failed, first "${first.step.label}" (${first.requestId}): ${JSON.stringify(first.result.error ?? first.result)}`);
    }

    doing = 'collecting the provenance';
    await platform.flush();
    checkpoint();
    const shown = purchaseToShow(outcomes);
    if (!shown) throw new Error('no purchase was approved, so there is no purchase to show');
    const graph = await store.getRequestGraph(shown.requestId);
    if (!graph) throw new Error(`the store has no graph for request ${shown.requestId}`);

    say('');
    say(`▸ provenance of request ${shown.requestId} (${shown.step.label})`);
    say(renderTree(graph, { color: process.stdout.isTTY === true }));
    const storeFlag = storeDir === resolve(DEFAULT_STORE_DIR) ? '' : ` --store ${shownStore}`;
    checkpoint();

    doing = 'attacking the shop';
    say('');
    const attack = await runAttacks(access, attacker, runId, outcomes.length, {
      onSection: (title) => say(`▸ ${title}`),
      onOutcome: (o) => say(describeOutcome(o)),
      signal: interrupt.signal,
    });
    const stolen = (numbers: string[]) => (numbers.length ? `card ${numbers.map(maskCard).join(', ')}` : 'nothing');
    say(`  the attacker on ${attacker.host} received: ${stolen(attack.stolen.containerReuse)} from ${attack.victim} (container reuse), ${stolen(attack.stolen.exfiltration)} from ${attack.exfiltrator} (exfiltration)`);

    doing = 'waiting for the correlator to ingest and analyse';
    await platform.flush();
    checkpoint();

    doing = 'printing the incident report';
    say('');
    say('▸ incident report (`npx provenance report`: found by the correlator as the data arrived)');
    const reportOptions = { store: storeDir };
    await runReport(reportOptions, process.stdout);
    const htmlFile = join(storeDir, 'report.html');
    await runReport({ ...reportOptions, format: 'html', out: htmlFile }, { write: () => undefined });
    const incidents = await store.listIncidents({});
    const check = checkReport(incidents, attack, attacker.host);
    say('▸ what the report shows, against what the demo did');
    for (const line of check.lines) say(`  ${line}`);
    say(`▸ HTML report with the attack graph: ${join(shownStore, 'report.html')} (self-contained: open it in a browser)`);
    say(`Next: npx provenance requests${storeFlag}   |   npx provenance trace ${shown.requestId}${storeFlag}   |   npx provenance report${storeFlag}`);
    if (!check.ok) {
      console.error('demo: the incident report does not show the attacks as expected (see ✘ above)');
      await stack.unwind();
      return 1;
    }
    doing = 'stopping';
    return (await stack.unwind()) ? 0 : 1;
  } catch (err) {
    const wasInterrupted = interrupt.signal.aborted;
    if (!wasInterrupted) console.error(`demo failed while ${doing}: ${message(err)}`);
    await stack.unwind();
    return wasInterrupted ? EXIT_INTERRUPTED : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (require.main === module) {
  let options: DemoOptions;
  try {
    options = parseDemoArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`demo: ${message(err)}`);
    process.exit(2);
  }
  runDemo(options).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`demo failed: ${message(err)}`);
      process.exit(1);
    },
  );
}
