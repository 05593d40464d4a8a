import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODECS } from '../../core/codecs/index.js';
import type { JsonObject } from '../../core/json.js';
import { loadMapping } from '../../core/mapping/load-mapping.js';
import { canonicalValidator } from '../../core/mapping/validate-output.js';
import { RecordRejection } from '../../core/sdk/step.js';

/**
 * The POS sales export as a pipeline reads it: csv with delimiter ";" and group_by: bon_nr makes
 * one record per receipt, the mapping a canonical order, the canonical schema checks it. keel
 * test has no group_by, so sale.to-canonical.test.yaml reads the grouped JSON fixture; this test
 * keeps that fixture true to the CSV.
 */
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const CSV_FIXTURE = here('./fixtures/pos-sales-2024-05-14.csv');
const GROUPED_FIXTURE = here('./fixtures/pos-sales-2024-05-14.grouped.json');

async function decodeReceipts(file: string): Promise<JsonObject[]> {
  const records: JsonObject[] = [];
  for await (const chunk of CODECS.csv.createDecoder({ delimiter: ';', group_by: 'bon_nr' }).decode(createReadStream(file), file)) {
    expect(chunk.rejects).toEqual([]);
    records.push(...chunk.records.map((record) => record.data));
  }
  return records;
}

describe('POS sales export CSV', () => {
  it('groups the rows of each receipt into one record, as the grouped JSON fixture has them', async () => {
    const records = await decodeReceipts(CSV_FIXTURE);
    expect(records.map((record) => [record['bon_nr'], (record['rows'] as unknown[]).length])).toEqual([
      ['104577', 3],
      ['104578', 5],
    ]);
    expect(records).toEqual(JSON.parse(readFileSync(GROUPED_FIXTURE, 'utf8')));
  });

  it('maps every receipt to a valid canonical order whose payments add up to its total', async () => {
    const mapping = loadMapping(here('./sale.to-canonical.json'));
    const validate = canonicalValidator(mapping.target);
    expect(validate).toBeDefined();
    const orders: JsonObject[] = [];
    for (const record of await decodeReceipts(CSV_FIXTURE)) {
      const mapped = await mapping.apply(record);
      expect(mapped).not.toBeInstanceOf(RecordRejection);
      const checked = validate!(mapped as JsonObject);
      if (checked instanceof RecordRejection) throw new Error(checked.reason);
      orders.push(checked as JsonObject);
    }
    expect(orders.map((order) => [order['external_id'], order['status'], order['pickup_location_id'], (order['lines'] as unknown[]).length])).toEqual([
      ['M01-2-104577', 'delivered', 'store-muenchen', 2],
      ['M01-2-104578', 'delivered', 'store-muenchen', 3],
    ]);
    for (const order of orders) {
      const cents = (order['payments'] as { amount: { amount: string } }[]).reduce((sum, payment) => sum + Math.round(Number(payment.amount.amount) * 100), 0);
      const total = (order['totals'] as { total: { amount: string } }).total.amount;
      expect(cents).toBe(Math.round(Number(total) * 100));
    }
  });
});
