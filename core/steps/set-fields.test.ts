import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { Redactor } from '../redact.js';
import type { JsonObject } from '../json.js';
import setFields from './set-fields.js';

const ctx = { projectDir: '.', file: 'pipeline.yaml', logger: createLogger({ level: 'error', format: 'text', redactor: new Redactor() }) };

describe('set step', () => {
  it('sets constants and copies of other fields on a copy of the record', async () => {
    const step = await setFields.create({ fields: { location_id: { from: 'location' }, source: { value: 'wms' }, city: { from: 'address.city' } } }, ctx);
    const record: JsonObject = { sku: 'A', location: 'WH-1', address: { city: 'Lyon' } };
    expect(step(record)).toEqual({ sku: 'A', location: 'WH-1', address: { city: 'Lyon' }, location_id: 'WH-1', source: 'wms', city: 'Lyon' });
    expect(record).toEqual({ sku: 'A', location: 'WH-1', address: { city: 'Lyon' } });
  });

  it('removes fields, and keeps a __proto__ key as plain data either way', async () => {
    const record = JSON.parse('{"__proto__":{"polluted":true},"sku":"A","secret":"x"}') as JsonObject;
    for (const remove of [[], ['secret']]) {
      const step = await setFields.create({ fields: { source: { value: 'wms' } }, remove }, ctx);
      const out = step(record) as JsonObject;
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
      expect(Object.keys(out)).toEqual(['__proto__', 'sku', ...(remove.length === 0 ? ['secret'] : []), 'source']);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
  });
});
