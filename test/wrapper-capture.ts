// Test support for the wrapper's in-process tests: stand in for the process's stdout/stderr
// and console *before* the wrapper installs, so what the wrapper takes for "the original"
// writes into arrays the test reads. Also parses and verifies the records written there.

import { formatWithOptions } from 'node:util';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { installWrapper, uninstallWrapper } from '../wrapper/index';
import { parseRecordLine, verifyRecord } from '../wrapper/records';
import type { ProvRecord } from '../protocol/wrapper-records';
import { RECORD_PREFIX } from '../protocol/wrapper-records';

export interface Captured {
  stdout: string[];
  stderr: string[];
  /** what reached the underlying console methods, one entry per call, by method */
  console: Array<{ method: string; text: string }>;
  restore(): void;
  /** all stdout text so far, split in lines */
  stdoutLines(): string[];
  /** records on stdout (parsed, MAC-verified against their activation's begin key) */
  records(): ProvRecord[];
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export function captureOutput(): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const consoleCalls: Array<{ method: string; text: string }> = [];
  const originalOut = process.stdout.write;
  const originalErr = process.stderr.write;
  const originalConsole = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]]));

  const sink = (into: string[]) =>
    function (chunk: unknown, ...rest: unknown[]): boolean {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      if (cb) process.nextTick(cb);
      return true;
    };
  process.stdout.write = sink(stdout) as typeof process.stdout.write;
  process.stderr.write = sink(stderr) as typeof process.stderr.write;
  for (const m of CONSOLE_METHODS) {
    (console as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => consoleCalls.push({ method: m, text: formatWithOptions({ colors: false }, ...args) });
  }

  const stdoutLines = () => stdout.join('').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  return {
    stdout,
    stderr,
    console: consoleCalls,
    restore() {
      process.stdout.write = originalOut;
      process.stderr.write = originalErr;
      for (const m of CONSOLE_METHODS) (console as unknown as Record<string, unknown>)[m] = originalConsole[m];
    },
    stdoutLines,
    records() {
      const keys = new Map<string, string>();
      const out: ProvRecord[] = [];
      for (const line of stdoutLines()) {
        if (!line.startsWith(RECORD_PREFIX)) continue;
        const parsed = parseRecordLine(line);
        if ('error' in parsed) throw new Error(`wrapper wrote an invalid record (${parsed.error}: ${parsed.detail}): ${line}`);
        const r = parsed.record;
        if (r.t === 'begin') keys.set(r.a, r.k);
        else {
          const key = keys.get(r.a);
          if (!key || !verifyRecord(r, line, key)) throw new Error(`record does not verify against its begin key: ${line}`);
        }
        out.push(r);
      }
      return out;
    },
  };
}

/**
 * For a whole test file, called at its top level: captures the output, then installs the wrapper
 * with this artifact root, for all of the file's tests (both undone after them); what was
 * captured is cleared before each test. The returned capture fills in when the file starts.
 */
export function useInstalledWrapper(artifactRoot: string): Captured {
  const live = {} as Captured;
  beforeAll(() => {
    Object.assign(live, captureOutput());
    installWrapper({ artifactRoot });
  });
  afterAll(() => {
    uninstallWrapper();
    live.restore();
  });
  beforeEach(() => {
    live.stdout.length = 0;
    live.stderr.length = 0;
    live.console.length = 0;
  });
  return live;
}

/** Sets the platform's per-activation environment, as the action runtime does before calling main. */
export function setActivationEnv(activationId: string, requestId: string, action = '/_/test'): void {
  process.env.__OW_ACTIVATION_ID = activationId;
  process.env.__OW_TRANSACTION_ID = requestId;
  process.env.__OW_ACTION_NAME = action;
  process.env.__OW_NAMESPACE = '_';
}

/** Records of one activation, without the begin/end frame fields that vary. */
export function recordsOf(records: ProvRecord[], activationId: string, type?: ProvRecord['t']): ProvRecord[] {
  return records.filter((r) => r.a === activationId && (type === undefined || r.t === type));
}
