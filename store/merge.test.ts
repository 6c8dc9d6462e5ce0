import { describe, expect, it } from 'vitest';
import { corrections, firstPass } from './merge';
import type { MergeUpdate } from './items';

const key = { pk: 'REQ#r', sk: 'SUMMARY' };
const update = (monotone: MergeUpdate['monotone'], extra: Partial<MergeUpdate> = {}): MergeUpdate => ({
  key,
  set: {},
  setIfMissing: {},
  addToSet: {},
  monotone,
  ...extra,
});

describe('firstPass', () => {
  it('writes monotone fields and their companions with if_not_exists, and lets SET win over placeholders', () => {
    const pass = firstPass(
      update([{ attr: 'start', keep: 'min', value: 5, companions: { tpk: 'DAY#x' } }], {
        set: { req: 'r', tsk: 'set' },
        setIfMissing: { tpk: 'DAY#unknown', tsk: 'placeholder' },
      }),
    );
    expect(pass.set).toEqual({ req: 'r', tsk: 'set' });
    expect(pass.setIfMissing).toEqual({ tpk: 'DAY#x', start: 5 });
  });
});

describe('corrections', () => {
  const min = { attr: 'start', keep: 'min' as const, value: 5, companions: { tpk: 'DAY#5' } };
  const max = { attr: 'end', keep: 'max' as const, value: 9 };
  it.each([
    ['our min was stored (field was new)', [min], { start: 5, tpk: 'DAY#5' }, []],
    ['a smaller min is stored: keep it', [min], { start: 3, tpk: 'DAY#3' }, []],
    ['a larger min is stored: correct it, with companions', [min], { start: 7, tpk: 'DAY#7' }, [{ key, set: { start: 5, tpk: 'DAY#5' }, condition: { attr: 'start', gte: 5 } }]],
    ['same min but a placeholder companion: fix the companion', [min], { start: 5, tpk: 'DAY#unknown' }, [{ key, set: { start: 5, tpk: 'DAY#5' }, condition: { attr: 'start', gte: 5 } }]],
    ['a larger max is stored: keep it', [max], { end: 12 }, []],
    ['a smaller max is stored: correct it', [max], { end: 2 }, [{ key, set: { end: 9 }, condition: { attr: 'end', lte: 9 } }]],
    ['strings compare as strings (ranks)', [{ attr: 'entryRank', keep: 'min' as const, value: '0#1', companions: { entry: 'a' } }], { entryRank: '1#0', entry: 'b' }, [{ key, set: { entryRank: '0#1', entry: 'a' }, condition: { attr: 'entryRank', gte: '0#1' } }]],
  ])('%s', (_name, monotone, stored, expected) => {
    expect(corrections(update(monotone), stored)).toEqual(expected);
  });
});
