// The wrapper bundle in a fresh Node process, as a container's cold start loads it: which builtins
// loading it costs, and that the hooks patched only when the action first uses a builtin
// (child_process, fs.promises) still record that first use. Needs `npm run build` (dist/wrapper/bundle.js).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package/root';
import { parseRecordLine } from '../wrapper/records';
import type { ProvRecord } from '../protocol/wrapper-records';

const BUNDLE = path.join(packageRoot(), 'dist/wrapper/bundle.js');

/** Builtins a cold start must not load for the wrapper: the action loads them if it needs them. */
const NOT_AT_LOAD = ['NativeModule module', 'NativeModule child_process', 'NativeModule internal/fs/promises', 'NativeModule dgram'];

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-cold-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'action', main: 'entry.js' }));
  fs.mkdirSync(path.join(dir, '.provenance'));
  fs.copyFileSync(BUNDLE, path.join(dir, '.provenance', 'bundle.js'));
  // the handler uses each lazily patched builtin for the first time inside the activation, both ways
  fs.writeFileSync(
    path.join(dir, 'handler.js'),
    `exports.main = async () => {
  const file = require('path').join(require('os').tmpdir(), 'wrapper-cold-' + process.pid);
  await require('fs/promises').writeFile(file, 'abc');
  const text = await require('fs').promises.readFile(file, 'utf8');
  require('fs').unlinkSync(file);
  require('child_process').execFileSync('true');
  return { text };
};`,
  );
  fs.writeFileSync(
    path.join(dir, 'entry.js'),
    `const before = new Set(process.moduleLoadList);
const { wrapHandler } = require('./.provenance/bundle.js');
const main = wrapHandler(() => require('./handler.js'), 'main');
const loaded = process.moduleLoadList.filter((m) => !before.has(m));
process.env.__OW_ACTIVATION_ID = 'a1';
process.env.__OW_TRANSACTION_ID = 'r1';
main({}).then((result) => process.stderr.write(JSON.stringify({ loaded, result }) + '\\n'));`,
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runEntry(env: Record<string, string>): { loaded: string[]; result: unknown; records: ProvRecord[] } {
  const stderr = path.join(dir, 'stderr');
  const stdout = execFileSync(process.execPath, [path.join(dir, 'entry.js')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', fs.openSync(stderr, 'w')],
  }).toString('utf8');
  const last = fs.readFileSync(stderr, 'utf8').trim().split('\n').pop() ?? '';
  const { loaded, result } = JSON.parse(last) as { loaded: string[]; result: unknown };
  const records = stdout
    .split('\n')
    .map((l) => parseRecordLine(l))
    .flatMap((p) => ('record' in p ? [p.record] : []));
  return { loaded, result, records };
}

describe('wrapper cold start in a fresh process', () => {
  it.each([
    ['its own syscall hooks on', {}],
    ['kernel capture (syscall hooks off)', { PROVENANCE_KERNEL_CAPTURE: '1' }],
  ])('loading and installing it, with %s, loads none of the builtins left to the action', (_name, env) => {
    const { loaded, result } = runEntry(env);
    expect(result).toEqual({ text: 'abc' });
    expect(loaded.filter((m) => NOT_AT_LOAD.includes(m))).toEqual([]);
  });

  it('records the first use of fs.promises (both ways) and child_process, patched only when the action loads them', () => {
    const { records } = runEntry({});
    const fsOps = records.filter((r) => r.t === 'fs').map((r) => `${(r as { op: string }).op} ${path.basename((r as { path: string }).path)}`);
    const base = (op: string) => expect.arrayContaining([expect.stringMatching(new RegExp(`^${op} wrapper-cold-\\d+$`))]);
    expect(fsOps).toEqual(base('write'));
    expect(fsOps).toEqual(base('read'));
    const procs = records.filter((r) => r.t === 'proc').map((r) => `${(r as { op: string }).op} ${(r as { cmd: string }).cmd}`);
    expect(procs).toEqual(['spawn true', 'exit true']);
    expect(records[records.length - 1]).toMatchObject({ t: 'end', ok: true });
  });
});
