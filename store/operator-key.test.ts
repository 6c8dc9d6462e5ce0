import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { addReadOptions } from '../cli/options';
import { ensureOperatorKey, readOperatorKey, sameKey } from './operator-key';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'operator-key-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('operator key', () => {
  it('is made once, owner-only, and read back the same on every later start', () => {
    const dir = path.join(scratch, 'once');
    const key = ensureOperatorKey(dir);
    expect(ensureOperatorKey(dir)).toBe(key);
    expect(readOperatorKey(dir)).toBe(key);
    expect(fs.statSync(path.join(dir, 'operator.key')).mode & 0o777).toBe(0o600);
    expect(sameKey(`${key}\n`, key)).toBe(true);
    expect(sameKey(key.slice(1), key)).toBe(false);
  });

  it('always survives the command line as `--operator KEY` (a key starting with "-" would read as an option)', () => {
    // 300 fresh keys: a base64url key starts with '-' once in 64, so the old format fails here
    for (let i = 0; i < 300; i++) {
      const key = ensureOperatorKey(path.join(scratch, `k${i}`));
      const command = addReadOptions(new Command('trace').exitOverride().argument('<id>'));
      command.parse(['r1', '--operator', key], { from: 'user' });
      expect(command.opts().operator).toBe(key);
    }
  });
});
