import { format } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatTemplate, instantiate, type ArgValue } from './format-model';
import { HOLE_REGEX, templateRegex, templateText } from './holes';

const lit = (s: string): ArgValue => ({ kind: 'str', parts: [{ lit: s }] });
const text: ArgValue = { kind: 'str', parts: [{ hole: 'text' }] };
const num: ArgValue = { kind: 'num' };
const obj: ArgValue = { kind: 'obj' };

describe('formatTemplate (util.format semantics)', () => {
  const table: Array<[string, ArgValue[], string]> = [
    ['no args prints an empty line', [], ''],
    ['a lone string is printed verbatim, %% and all', [lit('100%% %s')], '100%% %s'],
    ['%s takes a string', [lit('user %s'), text], 'user {text}'],
    ['%s of a literal is literal', [lit('%s: %d'), lit('count'), num], 'count: {number}'],
    ['%d %i are numbers, %f float', [lit('%d/%i/%f'), num, num, num], '{number}/{number}/{float}'],
    ['%j json, %o %O inspect', [lit('%j %o %O'), obj, obj, obj], '{json} {inspect} {inspect}'],
    ['%c consumes and prints nothing', [lit('%cred'), lit('color: red')], 'red'],
    ['%% is a percent once args exist', [lit('%d%% done'), num], '{number}% done'],
    ['%% is a percent even with args exhausted', [lit('%s %% %s'), text], '{text} % %s'],
    ['unknown placeholder stays', [lit('%x %s'), text], '%x {text}'],
    ['placeholders without args stay', [lit('%s and %s'), text], '{text} and %s'],
    ['extra args are joined by spaces', [lit('a'), num, obj, lit('b')], 'a {number} {inspect} b'],
    ['non-string first: everything joined', [num, lit('%s')], '{number} %s'],
    ['null and undefined print their names', [{ kind: 'known', text: 'null' }, { kind: 'known', text: 'undefined' }], 'null undefined'],
    ['unknown first with more args may be a format', [{ kind: 'any' }, num], '{text}'],
    ['spread after a literal keeps the literal prefix', [lit('ready: %s'), { kind: 'spread' }], 'ready: {text}'],
    ['trailing % is literal', [lit('50%'), num], '50% {number}'],
    ['%s of an object is inspected', [lit('%s'), obj], '{inspect}'],
  ];
  it.each(table)('%s', (_name, args, expected) => {
    expect(templateText(formatTemplate(args))).toBe(expected);
  });

  it('instantiates a helper parameter with call-site arguments', () => {
    const helper: ArgValue[] = [{ kind: 'str', parts: [{ lit: '[info] ' }, { param: 0 }] }, { kind: 'rest', index: 1 }];
    const call = instantiate(helper, [lit('order %s placed'), text]);
    expect(templateText(formatTemplate(call))).toBe('[info] order {text} placed');
    const missing = instantiate([{ kind: 'param', index: 2 }], [lit('a')]);
    expect(templateText(formatTemplate(missing))).toBe('undefined');
  });
});

// A small deterministic PRNG so a failure can be replayed.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('hole regexes match what Node prints (property test against real util.format)', () => {
  const r = rng(42);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const numbers = [0, -0, 1, -1, 42, 3.14159, -2.5e-7, 1e21, 1.7976931348623157e308, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, 0.1 + 0.2];
  const strings = ['', 'x', 'hello world', '50%', '%s', 'multi\nline', 'ünïcödé ✓', '{"a":1}', '-12', 'NaN', '1e400', '99999999999999999999999'];
  const values: Array<() => [unknown, ArgValue]> = [
    () => [pick(numbers), num],
    () => [BigInt(Math.floor(r() * 1e6)) * (r() < 0.5 ? -1n : 1n), num],
    () => [pick(strings), text],
    () => {
      const s = pick(strings);
      return [s, lit(s)];
    },
    () => [r() < 0.5, { kind: 'bool' }],
    () => [null, { kind: 'known', text: 'null' }],
    () => [undefined, { kind: 'known', text: 'undefined' }],
    () => [{ id: pick(strings), n: pick(numbers), nested: { deep: [1, 2, { x: 'y' }] } }, obj],
    () => [[1, 'two', null], obj],
    () => [new Error('boom'), obj],
  ];
  const tokens = ['%s', '%d', '%i', '%f', '%j', '%o', '%O', '%c', '%%', '%x', 'id=', ' ', 'text', '%', ':'];

  it('holds for 3000 generated calls', () => {
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      const fmt = Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(tokens)).join('');
      const generated = Array.from({ length: Math.floor(r() * 5) }, () => pick(values)());
      const runtime = [fmt, ...generated.map((g) => g[0])];
      let line: string;
      try {
        line = format(...runtime);
      } catch {
        continue; // %j of a bigint throws in Node itself: nothing is printed
      }
      const model = [lit(fmt), ...generated.map((g) => g[1])];
      const re = new RegExp(templateRegex(formatTemplate(model)));
      expect(re.test(line), `${JSON.stringify(fmt)} ${JSON.stringify(generated.map((g) => String(g[0])))} -> ${JSON.stringify(line)} vs ${re}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(2500);
  });

  it('%d/%i/%f output of extreme values matches the number regexes', () => {
    const re = { number: new RegExp(`^(?:${HOLE_REGEX.number})$`), float: new RegExp(`^(?:${HOLE_REGEX.float})$`) };
    const inputs: unknown[] = [...numbers, ...strings, 12n, -7n, '1'.repeat(400), '123456789012345678901234', {}, [], null, undefined, true, 2.7e-7, Symbol('s')];
    for (const v of inputs) {
      expect(format('%d', v)).toMatch(re.number);
      expect(format('%i', v)).toMatch(re.number);
      expect(format('%f', v)).toMatch(re.float);
      if (typeof v === 'number') expect(String(v)).toMatch(re.float);
    }
  });

  it('typed holes reject what they should not match', () => {
    const number = new RegExp(`^(?:${HOLE_REGEX.number})$`);
    for (const bad of ['', 'abc', '1.', '.5', '--1', '1e', 'nan', '1,000']) expect(bad).not.toMatch(number);
    expect('maybe').not.toMatch(new RegExp(`^(?:${HOLE_REGEX.boolean})$`));
  });
});
