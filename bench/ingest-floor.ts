// The floors under the ingest rate (bench/ingest.ts): the same traffic ingested once while every
// DynamoDB call the store makes is recorded, then the recorded calls alone replayed into a fresh
// dynalite process by a bare loop (no parsing, assembling or encoding: the requests are already
// built). What the replay costs is what any correlator writing these items pays at least:
//   - dynalite's CPU per activation: the floor of "one core" into dynalite, whatever the correlator does;
//   - the replaying process's CPU per activation: the AWS SDK and HTTP for these calls.
//   npx tsx bench/ingest-floor.ts [--requests N]      (4 activations per request; default 500)
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as ddb from '@aws-sdk/client-dynamodb';
import { ingestBatches } from '../correlator/index';
import { openStore } from '../store/index';
import { ACTIVATIONS_PER_REQUEST, helloRetailBatches } from './ingest-traffic';
import { startDynaliteProcess } from './dynalite-process';
import { numberArg } from './ingest';

interface Call {
  command: string;
  input: unknown;
}

export interface IngestFloor {
  activations: number;
  calls: Record<string, number>;
  dynaliteCpuMsPerActivation: number;
  replayCpuMsPerActivation: number;
}

/** Ingests the traffic and records every call the store sends (the table's creation aside). */
async function recordCalls(requests: number): Promise<Call[]> {
  const dynamo = await startDynaliteProcess();
  const calls: Call[] = [];
  try {
    const store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' }, { create: true });
    const client = (store as unknown as { client: DynamoDBClient }).client;
    client.middlewareStack.add(
      (next, context) => (args) => {
        calls.push({ command: String(context.commandName), input: structuredClone(args.input) });
        return next(args);
      },
      { step: 'initialize', name: 'recordCalls' },
    );
    try {
      await ingestBatches(helloRetailBatches({ requests, run: 'floor' }), store, { detection: false });
    } finally {
      await store.close();
    }
  } finally {
    await dynamo.stop();
  }
  return calls;
}

/** The recorded calls replayed in order into a fresh dynalite (with its table), 4 in flight as the store sends them. */
export async function benchIngestFloor(requests: number): Promise<IngestFloor> {
  const recorded = await recordCalls(requests);
  const dynamo = await startDynaliteProcess();
  try {
    const store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' }, { create: true });
    await store.close();
    const client = new ddb.DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const commands = recorded.map(({ command, input }) => {
      const Command = (ddb as unknown as Record<string, new (input: unknown) => ddb.BatchWriteItemCommand>)[command];
      if (!Command) throw new Error(`no command ${command} in @aws-sdk/client-dynamodb`);
      return () => new Command(input);
    });
    const dynamoBefore = dynamo.cpuMs();
    const cpuBefore = process.cpuUsage();
    let next = 0;
    const worker = async () => {
      while (next < commands.length) {
        try {
          await client.send(commands[next++]!());
        } catch (err) {
          // a conditional correction that finds a better value stored: as in the store
          if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const cpu = process.cpuUsage(cpuBefore);
    const dynamoMs = dynamo.cpuMs() - dynamoBefore;
    client.destroy();
    const activations = requests * ACTIVATIONS_PER_REQUEST;
    const calls: Record<string, number> = {};
    for (const { command } of recorded) calls[command] = (calls[command] ?? 0) + 1;
    return { activations, calls, dynaliteCpuMsPerActivation: dynamoMs / activations, replayCpuMsPerActivation: (cpu.user + cpu.system) / 1000 / activations };
  } finally {
    await dynamo.stop();
  }
}

export const formatIngestFloor = (f: IngestFloor): string[] => [
  `ingest floor: ${f.activations} activations, calls ${Object.entries(f.calls).map(([c, n]) => `${c} ${(n / f.activations).toFixed(3)}`).join(', ')} per activation`,
  `  dynalite ${f.dynaliteCpuMsPerActivation.toFixed(3)} ms CPU per activation (one core into dynalite: at most ${Math.round(1000 / f.dynaliteCpuMsPerActivation)}/s with a correlator that cost nothing)`,
  `  SDK + HTTP alone ${f.replayCpuMsPerActivation.toFixed(3)} ms CPU per activation`,
];

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  benchIngestFloor(numberArg('requests', 500))
    .then((f) => console.log(formatIngestFloor(f).join('\n')))
    .catch((e) => {
      console.error(`bench/ingest-floor: ${(e as Error).message}`);
      process.exit(1);
    });
}
