import { describe, expect, it } from 'vitest';
import { resolveHandler } from './resolve';

const main = () => 'main';
const nested = () => 'nested';
const def = () => 'default';

describe('resolveHandler', () => {
  const found: Array<[string, unknown, string, string]> = [
    ['a top-level export', { main }, 'main', 'main'],
    ['a nested export', { handlers: { purchase: { main: nested } } }, 'handlers.purchase.main', 'nested'],
    ['a module that is the function, empty path', main, '', 'main'],
    ['an ESM default function, empty path', { __esModule: true, default: def }, '', 'default'],
    ['an export under default (ESM compiled to CJS)', { __esModule: true, default: { main: def } }, 'main', 'default'],
    ['"default" named explicitly', { default: def }, 'default', 'default'],
    ['a function that also has properties', Object.assign(() => 'fn', { main }), 'main', 'main'],
  ];
  it.each(found)('finds %s', (_what, exportsValue, path, expected) => {
    const r = resolveHandler(exportsValue, path);
    expect(r.fn()).toBe(expected);
  });

  it('keeps `this` for methods', () => {
    const obj = { name: 'svc', main(this: { name: string }) { return this.name; } };
    const r = resolveHandler({ obj }, 'obj.main');
    expect(r.fn.call(r.self)).toBe('svc');
  });

  const missing: Array<[string, unknown, string, RegExp]> = [
    ['a missing export', { other: main }, 'main', /"main" not found.*available exports: other/],
    ['a missing nested segment', { handlers: {} }, 'handlers.purchase.main', /"handlers\.purchase" is missing/],
    ['a non-function export', { main: 42 }, 'main', /is a number, not a function/],
    ['an object export', { main: {} }, 'main', /is an object, not a function/],
    ['a module without function for an empty path', { a: 1 }, '', /no default function/],
    ['null exports', null, 'main', /not found/],
  ];
  it.each(missing)('explains %s', (_what, exportsValue, path, message) => {
    expect(() => resolveHandler(exportsValue, path)).toThrow(message);
  });
});
