// hello-retail on the embedded platform, as the demo runs it, for the tests (and benchmarks) that
// need the real thing: local DynamoDB (dynalite), the provenance store, the card processor and the
// webhook receiver, the platform with a caller-chosen batch sink, the shop's tables, and the service
// deployed through the real Serverless CLI with our plugin. `stop()` stops everything it started,
// last-started first, and removes the store directory: no process is left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo } from '../store/local';
import { openStore } from '../store/index';
import type { ProvenanceStore } from '../store/types';
import { startPlatform, writePlatformInfo, removePlatformInfo, type Platform, type PlatformOptions } from '../invokers/local/index';
import { packageRoot } from '../package/root';
import type { Batch } from '../protocol/batch';
import { setupShop } from '../examples/hello-retail/setup';
import { startCardProcessor } from '../examples/hello-retail/card-processor';
import { startWebhookReceiver } from '../examples/hello-retail/webhook-receiver';
import { deployWithServerless } from '../examples/hello-retail/deploy';

export const REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What the batch sink may need: the store, the DynamoDB endpoint, and the platform once it runs. */
export interface BatchSinkContext {
  store: ProvenanceStore;
  dynamoEndpoint: string;
  platform: () => Platform | undefined;
}

export interface HelloRetailOptions {
  /** prefix of the temporary store directory */
  prefix: string;
  /** builds the platform's batch sink (e.g. the correlator in this process) */
  sink: (ctx: BatchSinkContext) => ((batch: Batch) => Promise<void>) & { drain?: () => Promise<void> };
  /** what runs the actions (default: the platform's process containers) */
  platform?: Pick<PlatformOptions, 'containers' | 'dockerHost'>;
}

export interface HelloRetail {
  storeDir: string;
  store: ProvenanceStore;
  dynamoEndpoint: string;
  platform: Platform;
  /** what driveTraffic / runAttacks take */
  access: { apihost: string; auth: string; actionPrefix: string };
  /** stops everything started, last first (each failure is ignored so the rest still stop), and removes the store */
  stop(): Promise<void>;
}

export async function startHelloRetail(options: HelloRetailOptions): Promise<HelloRetail> {
  const stops: Array<() => unknown> = [];
  const storeDir = mkdtempSync(join(tmpdir(), options.prefix));
  const stop = async () => {
    while (stops.length) await Promise.resolve().then(stops.pop()!).catch(() => undefined);
    rmSync(storeDir, { recursive: true, force: true });
  };
  try {
    const dynamo = await startLocalDynamo(storeDir);
    stops.push(() => dynamo.stop());
    const store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance', region: REGION }, { create: true });
    stops.push(() => store.close());
    const processor = await startCardProcessor();
    stops.push(() => processor.stop());
    const webhook = await startWebhookReceiver();
    stops.push(() => webhook.stop());
    let started: Platform | undefined;
    const sink = options.sink({ store, dynamoEndpoint: dynamo.endpoint, platform: () => started });
    const platform = await startPlatform({
      storeDir,
      containerEnv: { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      onBatch: sink,
      // the platform's flush() also waits for what the sink does later (the local sink's coalesced detection)
      ...(sink.drain ? { drain: sink.drain } : {}),
      log: () => undefined,
      ...options.platform,
    });
    started = platform;
    stops.push(() => platform.stop());
    // the plugin (profiles) and `provenance report` find this store's running DynamoDB through platform.json, as in the demo
    writePlatformInfo(storeDir, { pid: process.pid, apihost: platform.apihost, auth: platform.auth, dynamodb: dynamo.endpoint, started: Date.now(), namespace: platform.namespace });
    stops.push(() => removePlatformInfo(storeDir));
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
    stops.push(() => client.destroy());
    await setupShop(client);
    await deployWithServerless({
      serviceDir: resolve(__dirname, '..', 'examples', 'hello-retail'),
      packageRoot: packageRoot(),
      apihost: platform.apihost,
      auth: platform.auth,
      env: { CARD_PROCESSOR_URL: processor.url, PURCHASE_WEBHOOK_URL: webhook.url, PROVENANCE_STORE: storeDir },
    });
    return {
      storeDir,
      store,
      dynamoEndpoint: dynamo.endpoint,
      platform,
      access: { apihost: platform.apihost, auth: platform.auth, actionPrefix: 'hello-retail-dev-' },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
