// Records DynamoDB operations made through the AWS SDK v3: `send` of DynamoDBClient
// (@aws-sdk/client-dynamodb) and of DynamoDBDocumentClient (@aws-sdk/lib-dynamodb), patched
// when those packages load. The document client runs its commands through the shared
// middleware stack, not through DynamoDBClient#send, so each call is recorded once.
//
// A written item's key (PutItem, batch puts) and the keys of items a Query/Scan returns need
// the table's key attribute names. They are learned from Key parameters the action uses and,
// when still unknown, from one DescribeTable per table per process, sent by the wrapper
// (internally: unrecorded) in parallel with the user's call; the record waits for it, the
// user's result never does.

import { currentActivation, noteHookFailure, runInternal, safely, type ActivationContext } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';
import { completeFact, factsOf, keyNamesFromDescription, keyNamesSeen, needsSchema, type DdbFact } from './ddb-values';
import { operationName } from '../../protocol/ddb-operations';
import { registerModulePatcher } from './module-load';

type AnyFn = (...args: any[]) => any;
type Sendable = { send: AnyFn };

/** table -> key attribute names (sorted), or a lookup in flight */
const keySchemas = new Map<string, string[] | Promise<string[] | undefined>>();
let DescribeTableCommand: (new (input: { TableName: string }) => unknown) | undefined;

export function forgetKeySchemas(): void {
  keySchemas.clear();
}

function learn(table: string, names: string[] | undefined): void {
  if (names && names.length > 0) keySchemas.set(table, names);
}

function lookupKeyNames(client: Sendable, table: string): string[] | Promise<string[] | undefined> | undefined {
  const known = keySchemas.get(table);
  if (known) return known;
  if (!DescribeTableCommand || !table) return undefined;
  const Describe = DescribeTableCommand;
  const lookup = runInternal(() => Promise.resolve().then(() => client.send(new Describe({ TableName: table }))))
    .then((out: unknown) => {
      const names = keyNamesFromDescription(out);
      if (names) keySchemas.set(table, names);
      else keySchemas.delete(table);
      return names;
    })
    .catch((e: unknown) => {
      keySchemas.delete(table); // try again later (permissions or the table may change)
      noteHookFailure(`DescribeTable ${table}`, e);
      return undefined;
    });
  keySchemas.set(table, lookup);
  return lookup;
}

function emitFact(ctx: ActivationContext, fact: DdbFact, keyNames: string[] | undefined, err: string | undefined): void {
  const fields: { op: string; table: string; key?: Record<string, unknown>; keys?: Record<string, unknown>[]; err?: string } = completeFact(fact, keyNames);
  if (err !== undefined) fields.err = err;
  emitRecord(ctx, 'ddb', fields);
}

function onDone(ctx: ActivationContext, client: Sendable, op: string, input: Record<string, unknown>, output: unknown, error: unknown, marshalled: boolean): void {
  safely(`dynamodb ${op}`, () => {
    for (const [table, names] of keyNamesSeen(op, input)) learn(table, names);
    if (op === 'DescribeTable' && typeof input.TableName === 'string') learn(input.TableName, keyNamesFromDescription(output));
    const err = error === undefined ? undefined : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const facts = factsOf(op, input, error === undefined ? (output as Record<string, unknown>) : undefined, marshalled);
    for (const fact of facts) {
      const names = needsSchema(fact) ? lookupKeyNames(client, fact.table) : keySchemas.get(fact.table);
      if (names instanceof Promise) {
        const pending = names.then((resolved) => safely(`dynamodb ${op}`, () => emitFact(ctx, fact, resolved, err)));
        ctx.pending.add(pending);
        void pending.finally(() => ctx.pending.delete(pending));
      } else {
        emitFact(ctx, fact, names, err);
      }
    }
  });
}

function patchSend(proto: object, marshalled: boolean): void {
  patchMethod(proto, 'send', (original: AnyFn) =>
    function (this: Sendable, command: { input?: unknown; constructor?: { name?: string } }, ...rest: unknown[]) {
      const ctx = currentActivation();
      if (!ctx) return original.call(this, command, ...rest);
      const client = this;
      const op = operationName(command?.constructor?.name ?? 'Unknown');
      const input = (command?.input && typeof command.input === 'object' ? command.input : {}) as Record<string, unknown>;
      const last = rest[rest.length - 1];
      if (typeof last === 'function') {
        // callback form: send(command, [options,] cb)
        const args = rest.slice(0, -1);
        return original.call(this, command, ...args, (err: unknown, data: unknown) => {
          onDone(ctx, client, op, input, data, err ?? undefined, marshalled);
          return (last as AnyFn)(err, data);
        });
      }
      const promise = original.call(this, command, ...rest);
      return promise.then(
        (output: unknown) => {
          onDone(ctx, client, op, input, output, undefined, marshalled);
          return output;
        },
        (error: unknown) => {
          onDone(ctx, client, op, input, undefined, error ?? new Error('unknown error'), marshalled);
          throw error;
        },
      );
    },
  );
}

export function registerDynamodbPatchers(): void {
  registerModulePatcher({
    name: '@aws-sdk/client-dynamodb',
    filename: /\/@aws-sdk\/client-dynamodb\/dist-cjs\/index\.js$/,
    patch: (exports) => {
      const mod = exports as { DynamoDBClient?: { prototype: object }; DescribeTableCommand?: typeof DescribeTableCommand };
      if (mod.DescribeTableCommand) DescribeTableCommand ??= mod.DescribeTableCommand;
      if (mod.DynamoDBClient) patchSend(mod.DynamoDBClient.prototype, true);
    },
  });
  registerModulePatcher({
    name: '@aws-sdk/lib-dynamodb',
    filename: /\/@aws-sdk\/lib-dynamodb\/dist-cjs\/index\.js$/,
    patch: (exports) => {
      const mod = exports as { DynamoDBDocumentClient?: { prototype: object } };
      if (mod.DynamoDBDocumentClient) patchSend(mod.DynamoDBDocumentClient.prototype, false);
    },
  });
}
