// The Node action runtime that every container of the local platform runs: OpenWhisk's action
// runtime protocol over HTTP on 127.0.0.1 (`POST /init` once, then `POST /run` per activation).
import * as fs from 'node:fs';
import * as http from 'node:http';
import { loadAction, type ActionMain } from './action-loader';
import { ACTIVATION_SENTINEL, ALLOW_CONCURRENT_ENV, allowsConcurrency, CODE_DIR_ENV, PORT_ENV, READY_FD, RUN_ENV_FIELDS, type InitMessage, type RunMessage } from '../../../protocol/action-runtime';
import { isObject } from '../json-object';
import { loadOpenwhiskStartState } from './start-state';

loadOpenwhiskStartState();

let entry: ActionMain | undefined;
let initState: 'ready' | 'initializing' | 'initialized' | 'failed' = 'ready';
let running = 0;
const allowConcurrent = allowsConcurrency(process.env[ALLOW_CONCURRENT_ENV]);
const codeDir = process.env[CODE_DIR_ENV] || process.cwd();

function writeMarkers(): void {
  process.stdout.write(`${ACTIVATION_SENTINEL}\n`);
  process.stderr.write(`${ACTIVATION_SENTINEL}\n`);
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** What OpenWhisk's Node runtime does with a rejection: an error object becomes plain JSON. */
function serializeError(err: unknown): unknown {
  if (err instanceof Error) {
    const out: Record<string, unknown> = { name: err.name, message: err.message, stack: err.stack };
    for (const [k, v] of Object.entries(err)) out[k] = v;
    return out;
  }
  return err ?? {};
}

function init(body: unknown, res: http.ServerResponse): void {
  if (initState !== 'ready') {
    reply(res, 403, { error: 'Cannot initialize the action more than once.' });
    return;
  }
  const value = isObject(body) ? (body as unknown as InitMessage).value : undefined;
  if (!isObject(value) || typeof value.code !== 'string' || value.code.length === 0) {
    reply(res, 500, { error: 'Missing main/no code to execute.' });
    return;
  }
  initState = 'initializing';
  try {
    if (isObject(value.env)) {
      for (const [k, v] of Object.entries(value.env)) if (typeof v === 'string') process.env[k] = v;
    }
    entry = loadAction(value, codeDir);
    initState = 'initialized';
    reply(res, 200, { OK: true });
  } catch (err) {
    initState = 'failed';
    // like OpenWhisk: this lands in the activation's logs
    console.error('Error during initialization:', err);
    writeMarkers();
    reply(res, 502, { error: `Initialization has failed due to: ${err instanceof Error ? err.stack : String(err)}` });
  }
}

async function run(body: unknown, res: http.ServerResponse): Promise<void> {
  if (initState !== 'initialized' || !entry) {
    reply(res, 500, { error: `Internal system error: container not ready, status: ${initState}` });
    return;
  }
  if (running > 0 && !allowConcurrent) {
    reply(res, 500, { error: 'Internal system error: container not ready, status: running' });
    return;
  }
  const msg = (isObject(body) ? body : {}) as Partial<RunMessage>;
  for (const field of RUN_ENV_FIELDS) {
    const v = msg[field];
    if (v !== undefined && v !== null) process.env[`__OW_${field.toUpperCase()}`] = String(v);
  }
  running++;
  let result: unknown;
  try {
    let returned: unknown;
    try {
      returned = entry(isObject(msg.value) ? msg.value : {});
    } catch (err) {
      // a synchronous throw is a bug in the action (action developer error)
      console.error(err);
      writeMarkers();
      reply(res, 502, { error: `An error has occurred: ${String(err)}` });
      return;
    }
    try {
      result = await returned;
      if (result === undefined) result = {};
    } catch (err) {
      // a rejected promise is the action's way to report an error (application error)
      result = { error: serializeError(err) };
    }
  } finally {
    running--;
  }
  writeMarkers();
  if (!isObject(result)) {
    console.error(`Result must be of type object but has type "${Array.isArray(result) ? 'array' : typeof result}":`, result);
    reply(res, 502, { error: 'The action did not return a dictionary.' });
    return;
  }
  reply(res, 200, result);
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch {
        resolve(undefined);
      }
    });
  });
}

const server = http.createServer((req, res) => {
  readBody(req)
    .then((body) => {
      if (req.method === 'POST' && req.url === '/init') return init(body, res);
      if (req.method === 'POST' && req.url === '/run') return run(body, res);
      reply(res, 404, { error: `no such endpoint: ${req.method} ${req.url}` });
    })
    .catch((err: unknown) => reply(res, 500, { error: `Internal system error: ${String(err)}` }));
});
// an activation may run as long as its time limit; the platform enforces it, not the socket
server.requestTimeout = 0;
server.timeout = 0;

server.listen(Number(process.env[PORT_ENV] || 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    fs.writeSync(READY_FD, `${port}\n`);
    fs.closeSync(READY_FD);
  } catch {
    // started by hand without the ready pipe: the port was fixed through the environment
  }
});
