import AdmZip from 'adm-zip';
import { describe, expect, it } from 'vitest';
import { actionSummary, actionView, buildActionDoc, looksLikeBase64Zip, nextVersion } from './action-doc';
import { ApiError } from './api-error';

const ref = { namespace: 'guest', name: 'hello' };

function zipBase64(): string {
  const zip = new AdmZip();
  zip.addFile('index.js', Buffer.from('exports.main = () => ({})'));
  return zip.toBuffer().toString('base64');
}

describe('buildActionDoc', () => {
  it('creates a document with defaults and version 0.0.1', () => {
    const doc = buildActionDoc(ref, { exec: { kind: 'nodejs:20', code: 'function main(){}' } }, undefined, 5);
    expect(doc).toMatchObject({
      namespace: 'guest',
      name: 'hello',
      version: '0.0.1',
      publish: false,
      exec: { kind: 'nodejs:20', code: 'function main(){}', binary: false },
      limits: { timeout: 60000, memory: 256, logs: 10, concurrency: 1 },
      updated: 5,
    });
  });

  it('recognises a base64 zip as binary, and puts packaged actions in ns/pkg', () => {
    const doc = buildActionDoc({ ...ref, pkg: 'shop' }, { exec: { kind: 'nodejs:default', code: zipBase64(), main: 'main' } }, undefined, 1);
    expect(doc.exec.binary).toBe(true);
    expect(doc.namespace).toBe('guest/shop');
  });

  it('update keeps what the body leaves out and bumps the version', () => {
    const first = buildActionDoc(ref, { exec: { kind: 'nodejs:20', code: 'x' }, limits: { concurrency: 4 }, parameters: [{ key: 'a', value: 1 }] }, undefined, 1);
    const second = buildActionDoc(ref, { limits: { timeout: 1000 } }, first, 2);
    expect(second.version).toBe('0.0.2');
    expect(second.exec).toEqual(first.exec);
    expect(second.limits).toEqual({ ...first.limits, timeout: 1000, concurrency: 4 });
    expect(second.parameters).toEqual([{ key: 'a', value: 1 }]);
  });

  it.each([
    [null, /JSON object/],
    [{}, /'exec' is required/],
    [{ exec: { kind: 'python:3', code: 'x' } }, /not supported/],
    [{ exec: { kind: 'sequence', components: [] } }, /sequence/],
    [{ exec: { kind: 'nodejs:20', code: '' } }, /exec.code/],
    [{ exec: { kind: 'nodejs:20', code: 'x', main: 'a-b' } }, /exec.main/],
    [{ exec: { kind: 'nodejs:20', code: 'x' }, limits: { timeout: 5 } }, /limits.timeout/],
    [{ exec: { kind: 'nodejs:20', code: 'x' }, limits: { concurrency: 1.5 } }, /limits.concurrency/],
    [{ exec: { kind: 'nodejs:20', code: 'x' }, annotations: { a: 1 } }, /annotations/],
  ])('rejects %j', (body, message) => {
    let caught: unknown;
    try {
      buildActionDoc(ref, body, undefined, 1);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(400);
    expect((caught as Error).message).toMatch(message);
  });

  it('views hide code where asked', () => {
    const doc = buildActionDoc(ref, { exec: { kind: 'nodejs:20', code: 'x' } }, undefined, 1);
    expect(actionView(doc, false)).not.toHaveProperty('exec.code');
    expect(actionView(doc, true)).toHaveProperty('exec.code', 'x');
    expect(actionSummary(doc)).toEqual(expect.objectContaining({ exec: { binary: false }, name: 'hello' }));
  });
});

describe('helpers', () => {
  it('nextVersion', () => {
    expect(nextVersion('0.0.9')).toBe('0.0.10');
    expect(nextVersion('junk')).toBe('0.0.1');
  });
  it('looksLikeBase64Zip', () => {
    expect(looksLikeBase64Zip(zipBase64())).toBe(true);
    expect(looksLikeBase64Zip('function main() {}')).toBe(false);
    expect(looksLikeBase64Zip(Buffer.from('hello world').toString('base64'))).toBe(false);
  });
});

describe('blackbox (Docker) actions', () => {
  it('keep their image; code is optional', () => {
    expect(buildActionDoc(ref, { exec: { kind: 'blackbox', image: 'my-action:1.0' } }, undefined, 1).exec).toEqual({ kind: 'blackbox', image: 'my-action:1.0', code: '', binary: false });
    expect(buildActionDoc(ref, { exec: { kind: 'blackbox', image: 'registry.local:5000/team/act@sha256:' + 'a'.repeat(64), code: 'x' } }, undefined, 1).exec.code).toBe('x');
  });

  it.each([undefined, '', 'Upper:case', 'has space', 'a:b:c'])('refuse image %j with a 400 naming exec.image', (image) => {
    expect(() => buildActionDoc(ref, { exec: { kind: 'blackbox', image } }, undefined, 1)).toThrow(/exec\.image/);
  });
});
