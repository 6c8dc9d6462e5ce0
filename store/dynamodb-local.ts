// AWS's own DynamoDB Local (the Java implementation, in memory) as a second, stricter backend for the
// store's tests and benchmarks. dynalite is lenient where DynamoDB is not (item and batch limits,
// expression rules, GSI key values); running the same cases on both keeps the store honest.
// The jar ships inside the npm package amplify-dynamodb-simulator (a devDependency); Java comes from
// the system (scripts/install-system-deps.sh installs a headless JRE).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { LocalDynamo } from './local';

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** a free port can be taken between our look and Java's bind: try a few */
const PORT_ATTEMPTS = 3;

/** why DynamoDB Local cannot run on this machine, or null when it can */
export function dynamoDbLocalMissing(): string | null {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) {
    return 'java is not installed (DynamoDB Local needs a JRE ≥ 11) — run `bash scripts/install-system-deps.sh` as root';
  }
  if (!existsSync(jarPath())) {
    return 'amplify-dynamodb-simulator (which ships DynamoDBLocal.jar) is not installed — run `npm ci`';
  }
  return null;
}

/** Start DynamoDB Local in memory on a free port; every client sees one database (-sharedDb). */
export async function startDynamoDbLocal(): Promise<LocalDynamo> {
  const missing = dynamoDbLocalMissing();
  if (missing) throw new Error(`cannot start DynamoDB Local: ${missing}`);
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    try {
      return await startOnPort(await freePort());
    } catch (err) {
      lastError = err;
      if (!/already in use|BindException/i.test(String(err))) break;
    }
  }
  throw lastError;
}

function emulatorDir(): string {
  // Resolve package.json, not the package's main: its index.js pulls in the whole Amplify CLI core.
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

function jarPath(): string {
  try {
    return join(emulatorDir(), 'DynamoDBLocal.jar');
  } catch {
    return '';
  }
}

async function startOnPort(port: number): Promise<LocalDynamo> {
  const dir = emulatorDir();
  // DynamoDB Local has no bind-address option; clients here only ever use 127.0.0.1.
  const child = spawn(
    'java',
    [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), '-inMemory', '-sharedDb', '-disableTelemetry', '-port', String(port)],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // A test run that dies must not leave a JVM behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child, () => output);
  } catch (err) {
    process.off('exit', killOnExit);
    await stopChild(child);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    stop: () =>
      (stopped ??= stopChild(child).finally(() => {
        process.off('exit', killOnExit);
      })),
  };
}

/** Poll until the server answers HTTP at all (any status: an unsigned GET gets a 400). */
async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited while starting: ${lastLine(output())}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000}s: ${lastLine(output())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const lastLine = (text: string): string =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-1)[0] ?? '(no output)';
