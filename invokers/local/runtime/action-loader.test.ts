import AdmZip from 'adm-zip';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAction } from './action-loader';

function zipOf(files: Record<string, string>): string {
  const zip = new AdmZip();
  for (const [name, text] of Object.entries(files)) zip.addFile(name, Buffer.from(text));
  return zip.toBuffer().toString('base64');
}

describe('loadAction, zipped', () => {
  const cwd = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'action-loader-'));
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("unpacks the archive, requires its package.json's main and finds the entry point", async () => {
    const code = zipOf({ 'package.json': JSON.stringify({ main: 'lib/entry.js' }), 'lib/entry.js': "exports.handlers = { go: (p) => ({ twice: p.n * 2, here: require('fs').existsSync('data.txt') }) };", 'data.txt': 'x' });
    const main = loadAction({ code, binary: true, main: 'handlers.go' }, dir);
    // the action runs in its unpacked directory, and the archive file itself is gone
    expect(await main({ n: 21 })).toEqual({ twice: 42, here: true });
    expect(fs.readdirSync(dir)).toEqual(['action']);
  });

  it.each([
    ['not a zip archive', Buffer.from('this is not a zip').toString('base64'), /^There was an error uncompressing the action Zip archive: /],
    ['neither package.json nor index.js', zipOf({ 'other.js': 'exports.main = () => ({})' }), /^Zipped actions must contain either package.json or index.js at the root\.$/],
    ['an entry point that is not a function', zipOf({ 'index.js': 'exports.main = 42' }), /^Action entrypoint 'main' is not a function\.$/],
  ])('refuses %s with one line', (_, code, message) => {
    expect(() => loadAction({ code, binary: true }, dir)).toThrow(message);
  });

  it('writes an entry named with .. inside the action directory, as unzip does in OpenWhisk', () => {
    const zip = new AdmZip();
    zip.addFile('index.js', Buffer.from('exports.main = () => ({})'));
    zip.addFile('placeholder-escape.js', Buffer.from('escaped'));
    // adm-zip will not write such a name itself: rename the entry in the archive's bytes (same length)
    const escape = '../../../../escape.js';
    const raw = Buffer.from(zip.toBuffer().toString('latin1').split('placeholder-escape.js').join(escape), 'latin1');
    loadAction({ code: raw.toString('base64'), binary: true }, dir);
    // unzip leaves the .. components out
    expect(fs.existsSync(path.resolve(dir, 'action', escape))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'action', 'escape.js'), 'utf8')).toBe('escaped');
  });
});
