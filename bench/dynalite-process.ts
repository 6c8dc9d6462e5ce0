// dynalite in a process of its own, for benchmarks that must tell its CPU from the measured
// process's: DynamoDB is a remote service to the correlator, and in one process the two cannot be
// told apart (nor can LevelDB's own threads be charged to either).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DynaliteProcess {
  endpoint: string;
  pid: number;
  /** CPU (user + system) the process has used so far, ms (10 ms resolution) */
  cpuMs(): number;
  stop(): Promise<void>;
}

// The same settings as store/local.ts: tables are ACTIVE almost at once.
const SERVER = `
const server = require(${JSON.stringify(require.resolve('dynalite'))})({ path: process.argv[1], createTableMs: 5, deleteTableMs: 5, updateTableMs: 5 });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Starts dynalite on a fresh LevelDB under the temporary directory; stop() ends it and removes the data. */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'prov-bench-dynalite-'));
  const child = spawn(process.execPath, ['-e', SERVER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code} before it listened`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
  });
  child.removeAllListeners('exit');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    cpuMs: () => processCpuMs(child.pid!),
    stop: () => stopChild(child).finally(() => rmSync(dir, { recursive: true, force: true })),
  };
}

/** utime + stime of a process, ms: fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second here). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
