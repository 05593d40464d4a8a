import { describe, expect, it } from 'vitest';
import { describeChanges, recordChanges } from './record-diff.js';

describe('the diff of two versions of a record', () => {
  it('names each changed, added and removed field by its path, with the values', () => {
    const before = { id: 7, total: '19.99', lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 1 }], tags: ['vip'], note: null };
    const after = { id: 7, total: '24.99', lines: [{ sku: 'A', qty: 2 }], tags: ['vip'], note: 'gift wrap', email: 'a@example.com' };
    expect(describeChanges(before, after)).toBe(
      'total "19.99" → "24.99"; lines[0].qty 1 → 2; lines[1] removed (was {"sku":"B","qty":1}); note null → "gift wrap"; email added "a@example.com"',
    );
    expect(recordChanges(before, { ...before })).toEqual([]);
  });

  it('stays one readable line: long values are cut, and past the first few changes it says how many more', () => {
    const before = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`f${index}`, index]));
    const after = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`f${index}`, index + 1]));
    expect(describeChanges(before, after, 3)).toBe('f0 0 → 1; f1 1 → 2; f2 2 → 3; and 9 more');
    expect(describeChanges({ text: 'a' }, { text: 'x'.repeat(200) })).toBe(`text "a" → "${'x'.repeat(58)}…`);
  });

  it('compares an object with an array or a scalar as a change of the whole field', () => {
    expect(describeChanges({ address: { city: 'Berlin' } }, { address: 'Berlin' })).toBe('address {"city":"Berlin"} → "Berlin"');
  });
});
