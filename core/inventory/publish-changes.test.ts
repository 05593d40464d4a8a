import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InventoryConfig } from './inventory-config.js';
import { InventoryEngine } from './inventory-engine.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

const T0 = new Date('2026-11-23T09:00:00Z');
const at = (hours: number): Date => new Date(T0.getTime() + hours * 3600_000);

const CONFIG: InventoryConfig = {
  locations: [
    { location_id: 'wh-a', name: 'A', type: 'warehouse', channels: ['web'] },
    { location_id: 'wh-b', name: 'B', type: 'warehouse', channels: ['web'] },
  ],
  channels: { web: { buffer: { units: 1 } } },
  reservations: { ttl_minutes: 60 },
};

let dir: string | undefined;
let store: SqliteInventoryStore | undefined;
afterEach(async () => {
  await store?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  store = undefined;
});

/** The engine over one state file; called again with other rules, the same ledger (keel.yaml edited between runs). */
function engine(config: InventoryConfig = CONFIG): InventoryEngine {
  dir ??= mkdtempSync(join(tmpdir(), 'keel-publish-'));
  store ??= new SqliteInventoryStore(join(dir, 'state.db'));
  return new InventoryEngine(config, store, dir);
}

/** Publishes a channel the way the availability stream does: values sent, then the channel's state recorded. */
async function publish(inventory: InventoryEngine, now: Date, mode: 'delta' | 'full' = 'delta'): Promise<Record<string, string>> {
  const sent: Record<string, string> = {};
  let through = 0;
  let rules = 0;
  for await (const page of inventory.changes('web', mode, now)) {
    for (const value of page.values) sent[value.sku] = `${value.quantity} ${value.status}${value.available_from !== undefined ? ` ${value.available_from}` : ''}`;
    await inventory.store.markPublished('web', page.values, now.getTime());
    ({ through, rules } = page);
  }
  await inventory.store.setPublishState('web', { through, at: now.getTime(), rules });
  return sent;
}

async function count(inventory: InventoryEngine, rows: [string, string, number][]): Promise<void> {
  await inventory.store.applySnapshots(rows.map(([sku, location_id, on_hand]) => ({ sku, location_id, on_hand, at: T0.getTime() - 3600_000, source: 'test' })));
}

describe('delta publishing sends whatever changed what a channel should show', () => {
  it('a reservation that lapses gives its units back to the channel', async () => {
    const inventory = engine();
    await count(inventory, [['TEE', 'wh-a', 5]]);
    await inventory.reserve('web:1', 'web', [{ sku: 'TEE', quantity: 3 }], T0);
    expect(await publish(inventory, T0)).toEqual({ TEE: '1 in_stock' });
    expect(await publish(inventory, at(0.5))).toEqual({});
    expect(await publish(inventory, at(1.1))).toEqual({ TEE: '4 in_stock' });
    expect(await publish(inventory, at(1.2))).toEqual({});
  });

  it('incoming stock that enters the pre-order horizon is published when it does', async () => {
    const inventory = engine({ ...CONFIG, channels: { web: { preorder: { horizon_days: 7 } } } });
    await count(inventory, [['NEW', 'wh-a', 0]]);
    await inventory.store.setIncoming([{ sku: 'NEW', location_id: 'wh-b', quantity: 10, expected_at: at(24 * 10).toISOString(), source: 'erp' }]);
    expect(await publish(inventory, T0)).toEqual({ NEW: '0 out_of_stock' });
    expect(await publish(inventory, at(24))).toEqual({});
    expect(await publish(inventory, at(24 * 4))).toEqual({ NEW: `10 preorder ${at(24 * 10).toISOString()}` });
  });

  it('a changed channel rule re-checks every SKU, and a deactivated location takes its units off the channel', async () => {
    await count(engine(), [['TEE', 'wh-a', 20], ['MUG', 'wh-b', 3], ['CAP', 'wh-a', 25]]);
    expect(await publish(engine(), T0)).toEqual({ CAP: '24 in_stock', MUG: '2 in_stock', TEE: '19 in_stock' });
    expect(await publish(engine(), at(1))).toEqual({});
    // keel.yaml edited: buffer 1 → 20.
    expect(await publish(engine({ ...CONFIG, channels: { web: { buffer: { units: 20 } } } }), at(2))).toEqual({ CAP: '5 in_stock', MUG: '0 out_of_stock', TEE: '0 out_of_stock' });
    expect(await publish(engine({ ...CONFIG, channels: { web: { buffer: { units: 20 } } } }), at(3))).toEqual({});
    // Back to a buffer of 1, and wh-a closed: CAP (all at wh-a) goes to 0, MUG (at wh-b) back to 2; TEE was 0 and stays 0.
    const closed: InventoryConfig = { ...CONFIG, locations: [{ ...(CONFIG.locations[0] as InventoryConfig['locations'][number]), active: false }, CONFIG.locations[1] as InventoryConfig['locations'][number]] };
    expect(await publish(engine(closed), at(4))).toEqual({ CAP: '0 out_of_stock', MUG: '2 in_stock' });
  });
});
