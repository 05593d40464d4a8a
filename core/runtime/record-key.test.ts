import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { contentHash, hashRecords, stableJson } from './record-key.js';

const RECORD: JsonObject = { sku: 'A-1', quantity: 3, nested: { z: true, a: [1, 'two', null, { y: 'é"' }] }, empty: {} };

describe('record keys', () => {
  it('writes stable JSON (sorted keys at every depth) and hashes it as it always has', () => {
    // Content hashes are stored in the effect ledger: the same record must keep its key across versions.
    expect(stableJson(RECORD)).toBe('{"empty":{},"nested":{"a":[1,"two",null,{"y":"é\\""}],"z":true},"quantity":3,"sku":"A-1"}');
    expect(contentHash(RECORD)).toBe('1e3c5b00dd3aeebafd4f1fbb26d1912d95d5b094');
  });

  it('names a batch by its records: key order inside a record does not matter, record order does', () => {
    const a: JsonObject = { sku: 'A', quantity: 1 };
    const b: JsonObject = { sku: 'B', quantity: 2 };
    const key = hashRecords(['pipeline', 'source'], [a, b]);
    expect(hashRecords(['pipeline', 'source'], [{ quantity: 1, sku: 'A' }, { quantity: 2, sku: 'B' }])).toBe(key);
    expect(hashRecords(['pipeline', 'source'], [b, a])).not.toBe(key);
    expect(hashRecords(['pipeline', 'source'], [a, { sku: 'B', quantity: 3 }])).not.toBe(key);
    expect(hashRecords(['pipeline', 'other'], [a, b])).not.toBe(key);
  });
});
