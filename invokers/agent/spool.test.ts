import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from './spool';

describe('Spool batch numbers', () => {
  const dirs: string[] = [];
  const spoolIn = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-'));
    dirs.push(dir);
    return new Spool(dir, 'inv/1');
  };
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('writes the counter once per block of numbers, and a restart never goes back', () => {
    const s = spoolIn();
    const counter = path.join(s.dir, 'inv_1.next');
    s.rememberNext(2);
    const first = fs.readFileSync(counter, 'utf8');
    fs.rmSync(counter);
    for (let n = 3; n <= 200; n++) s.rememberNext(n);
    expect(fs.existsSync(counter)).toBe(false); // still inside the reserved block: no write
    s.rememberNext(10_000);
    expect(Number(fs.readFileSync(counter, 'utf8'))).toBeGreaterThanOrEqual(10_000);
    expect(Number(first)).toBeGreaterThanOrEqual(200);
    expect(new Spool(s.dir, 'inv/1').nextBatchNumber()).toBeGreaterThanOrEqual(10_000);
  });

  it('starts after anything still spooled, whatever the counter says', () => {
    const s = spoolIn();
    s.save({ v: 1, invoker: 'inv/1', batch: 7, containers: [], lines: [] });
    expect(s.nextBatchNumber()).toBe(8);
  });
});
