import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeResults, missingResults, readResults, RESULT_KEYS, writeResults } from './results';

const dirs: string[] = [];
function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
  dirs.push(d);
  return path.join(d, 'results.json');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('mergeResults', () => {
  it.each([
    ['adds to nothing', {}, { 'a.x': 1 }, { 'a.x': 1 }],
    ["keeps another part's keys", { 'storage.bytesPerActivation': 900 }, { 'probe.idleRatio': 1.2 }, { 'probe.idleRatio': 1.2, 'storage.bytesPerActivation': 900 }],
    ['replaces its own keys', { 'probe.idleRatio': 1.5 }, { 'probe.idleRatio': 1.2 }, { 'probe.idleRatio': 1.2 }],
  ] as const)('%s', (_name, previous, update, expected) => {
    expect(mergeResults(previous, update)).toEqual(expected);
  });

  it.each([NaN, Infinity, '1' as unknown as number])('refuses %s, naming the key', (v) => {
    expect(() => mergeResults({}, { 'decoder.recordsPerSecond': v })).toThrow(/decoder\.recordsPerSecond .*not a finite number/);
  });
});

describe('writeResults', () => {
  it('merges what two parts write into one file, keys sorted', () => {
    const file = tmpFile();
    writeResults({ 'query.traceP50Ms': 12, 'query.activations': 1000 }, file);
    writeResults({ 'activation.wrapperRatioP50': 1.02 }, file);
    const text = fs.readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual({ 'activation.wrapperRatioP50': 1.02, 'query.activations': 1000, 'query.traceP50Ms': 12 });
    expect(Object.keys(JSON.parse(text))).toEqual(['activation.wrapperRatioP50', 'query.activations', 'query.traceP50Ms']);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['results.json']);
  });

  it('says what is wrong with a damaged file instead of overwriting it', () => {
    const file = tmpFile();
    fs.writeFileSync(file, '{"probe.idleRatio": 1.');
    expect(() => writeResults({ 'probe.idleRatio': 1 }, file)).toThrow(/is not JSON .*delete it/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"probe.idleRatio": 1.');
  });

  it('reads no file as no results', () => {
    expect(readResults(tmpFile())).toEqual({});
  });
});

describe('missingResults', () => {
  it('lists the expected keys nobody wrote', () => {
    const all = Object.fromEntries(Object.keys(RESULT_KEYS).map((k) => [k, 1]));
    expect(missingResults(all)).toEqual([]);
    const { ['coldStart.addedMs']: _gone, ...rest } = all;
    expect(missingResults(rest)).toEqual(['coldStart.addedMs']);
  });
});
