import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODECS } from '../../core/codecs/index.js';
import type { JsonObject } from '../../core/json.js';
import { loadMapping } from '../../core/mapping/load-mapping.js';
import { canonicalValidator } from '../../core/mapping/validate-output.js';
import { RecordRejection } from '../../core/sdk/step.js';

/**
 * The shipment confirmation end to end as a pipeline reads it: the CSV codec groups the rows of
 * one shipment (`group_by: shipment_id`), the mapping makes a canonical shipment of each group
 * and the canonical schema checks it. keel test cannot do this (its inputs have no group_by), so
 * the *.test.yaml uses the grouped JSON fixture, which this test also keeps true to the CSV.
 */
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const CSV_FIXTURE = here('./fixtures/shipment-confirmation-2024-05-14.csv');
const GROUPED_FIXTURE = here('./fixtures/shipment-confirmation-2024-05-14.grouped.json');

async function decodeGrouped(file: string): Promise<JsonObject[]> {
  const records: JsonObject[] = [];
  for await (const chunk of CODECS.csv.createDecoder({ group_by: 'shipment_id' }).decode(createReadStream(file), file)) {
    expect(chunk.rejects).toEqual([]);
    records.push(...chunk.records.map((record) => record.data));
  }
  return records;
}

async function mapShipments(records: JsonObject[]): Promise<(JsonObject | RecordRejection)[]> {
  const mapping = loadMapping(here('./shipment.to-canonical.json'));
  const validate = canonicalValidator(mapping.target);
  expect(mapping.target).toBe('shipment');
  expect(validate).toBeDefined();
  const out: (JsonObject | RecordRejection)[] = [];
  for (const record of records) {
    const mapped = await mapping.apply(record);
    if (mapped instanceof RecordRejection) out.push(mapped);
    else {
      expect(Array.isArray(mapped)).toBe(false);
      out.push(validate!(mapped as JsonObject));
    }
  }
  return out;
}

describe('3PL shipment confirmation CSV', () => {
  it('groups the rows of each shipment into one record, as the grouped JSON fixture has them', async () => {
    const records = await decodeGrouped(CSV_FIXTURE);
    expect(records.map((record) => [record['shipment_id'], (record['rows'] as unknown[]).length])).toEqual([
      ['SHP-240514-0007', 2],
      ['SHP-240514-0008', 3],
    ]);
    expect(records).toEqual(JSON.parse(readFileSync(GROUPED_FIXTURE, 'utf8')));
  });

  it('maps every group to a valid canonical shipment', async () => {
    const shipments = await mapShipments(await decodeGrouped(CSV_FIXTURE));
    expect(shipments.filter((shipment) => shipment instanceof RecordRejection)).toEqual([]);
    expect(shipments).toEqual([
      {
        shipment_id: 'SHP-240514-0007',
        order: { channel: 'shopify-de', external_id: '5617283940' },
        location_id: '3pl-leipzig',
        status: 'shipped',
        carrier: 'dhl',
        service: 'Paket',
        tracking_number: '00340434161094015902',
        parcels: [
          { parcel_id: '340123450000000017', tracking_number: '00340434161094015902', weight_grams: 620 },
          { parcel_id: '340123450000000024', tracking_number: '00340434161094015919', weight_grams: 1250 },
        ],
        lines: [
          { sku: 'NH-TEE-BLK-M', quantity: 2, line_id: '13004451', parcel_id: '340123450000000017' },
          { sku: 'NH-HOOD-GRY-L', quantity: 1, parcel_id: '340123450000000024' },
        ],
        created_at: '2024-05-14T14:42:10Z',
        shipped_at: '2024-05-14T14:42:10Z',
      },
      {
        shipment_id: 'SHP-240514-0008',
        order: { channel: 'shopify', external_id: '450789469' },
        location_id: '3pl-leipzig',
        status: 'shipped',
        carrier: 'dpd',
        service: 'Classic',
        tracking_number: '01505012345678',
        parcels: [{ parcel_id: '01505012345678', tracking_number: '01505012345678' }],
        lines: [
          { sku: 'IPOD2008GREEN', quantity: 1, line_id: '466157049', parcel_id: '01505012345678' },
          { sku: 'IPOD2008RED', quantity: 1, line_id: '518995019', parcel_id: '01505012345678' },
        ],
        created_at: '2024-05-14T15:05:55Z',
        shipped_at: '2024-05-14T15:05:55Z',
      },
    ]);
  });
});
