import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_TOKEN, WAREHOUSE, type ShopifyEmulator } from '../test-support/shopify-emulator.js';
import type { VendureEmulator } from '../test-support/vendure-emulator.js';
import {
  CLI_TEST_TIMEOUT_MS,
  initReadyMade,
  pointShopifyAt,
  runsOf,
  startShopify,
  startVendure,
  Teardown,
  validateAndTest,
  vendureFixtureOrder,
} from '../test-support/ready-made-project.js';

/**
 * The ready-made pipeline stock-to-channels, started with `keel init --from` and run with the
 * CLI: its sample 3PL and till exports, open orders in the Shopify and Vendure emulators, and
 * what each shop is then told it may sell. Every expected quantity is worked out below from the
 * sample files and keel.yaml's rules (safety stock: 3PL 5, stores 1; Shopify counts the 3PL and
 * the stores, at most 100; Vendure counts the 3PL only, 2 units held back).
 */
const SKUS = ['NH-TEE-BLK-M', 'NH-MUG-WHT', 'NH-HOOD-GRY-L', 'NH-SOCK-3PK', 'NH-CAP-NVY'];

const teardown = new Teardown();
afterEach(() => teardown.run());

async function startShops(): Promise<{ shopify: ShopifyEmulator; vendure: VendureEmulator; env: Record<string, string> }> {
  // Shopify: #1001 (2 tees, a mug) and #1002 (a hoodie) are open; the shop shows 0 of everything.
  const lines: Record<number, { sku: string; name: string; quantity: number; unitCents: number }[]> = {
    1001: [
      { sku: 'NH-TEE-BLK-M', name: 'Harbour Tee', quantity: 2, unitCents: 2495 },
      { sku: 'NH-MUG-WHT', name: 'Anchor Mug', quantity: 1, unitCents: 1490 },
    ],
    1002: [{ sku: 'NH-HOOD-GRY-L', name: 'Pier Hoodie', quantity: 1, unitCents: 5900 }],
  };
  const shopify = await startShopify({ orders: 2, orderLines: (number) => lines[number] ?? [], inventory: SKUS.map((sku) => ({ sku, levels: { '1': 0 } })) }, teardown);
  // Vendure: order 41 (2 tees, a 3-pack of socks, settled), which Vendure holds as allocated; no cap is sold there.
  const vendure = await startVendure('emulated-admin-password-77d1', teardown);
  vendure.shop.addOrder(vendureFixtureOrder('41'));
  vendure.shop.addVariant('NH-TEE-BLK-M', { '1': { onHand: 0, allocated: 2 } });
  vendure.shop.addVariant('NH-MUG-WHT');
  vendure.shop.addVariant('NH-HOOD-GRY-L');
  vendure.shop.addVariant('NH-SOCK-3PK', { '1': { onHand: 0, allocated: 1 } });
  const env = { SHOPIFY_TOKEN: EMULATOR_TOKEN, SHOPIFY_BASE_URL: shopify.url, SHOPIFY_LOCATION_ID: WAREHOUSE, ...vendure.env };
  return { shopify: shopify.shop, vendure: vendure.shop, env };
}

const shopifyShows = (shop: ShopifyEmulator): Record<string, number | undefined> => Object.fromEntries(SKUS.map((sku) => [sku, shop.available(sku, WAREHOUSE)]));
const vendureOnHand = (shop: VendureEmulator): Record<string, number | undefined> => Object.fromEntries(shop.variants.map((variant) => [variant.sku, variant.stock['1']?.onHand]));

describe('ready-made pipeline stock-to-channels', () => {
  it('publishes to Shopify and Vendure what each may sell: on hand less safety stock at the locations it counts, less open orders, under its rules', async () => {
    const { shopify, vendure, env } = await startShops();
    const { project, init } = await initReadyMade('stock-to-channels', env, teardown);
    expect(init.stdout).toContain('3pl_stock (file), pos_stock (file), shopify_shop (shopify), vendure_shop (vendure), inventory (inventory)');
    pointShopifyAt(project, 'shopify_shop', 'SHOPIFY_BASE_URL');

    expect(await validateAndTest(project)).toEqual({
      validate: 'exit 0: ok: 6 pipeline(s) valid: stock-from-3pl, stock-from-stores, reserve-shopify-orders, reserve-vendure-orders, stock-to-shopify, stock-to-vendure',
      test: 'exit 0: 4 passed, 0 failed',
    });

    const first = await project.keel(['run', project.dir, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const runs = runsOf(first);
    expect(runs['stock-from-3pl']).toMatchObject({ read: 4, written: 4, outcomes: { applied: 4 } });
    expect(runs['stock-from-stores']).toMatchObject({ read: 5, written: 5, outcomes: { applied: 5 } });
    expect(runs['reserve-shopify-orders']).toMatchObject({ read: 2, written: 2, outcomes: { reserved: 2 } });
    expect(runs['reserve-vendure-orders']).toMatchObject({ read: 1, written: 1, outcomes: { reserved: 1 } });

    // Free units per location (on hand − safety stock; the 3PL's 2 blocked tees are not on hand):
    //   tee:    3PL 240−2−5 = 233, Munich 9−1 = 8, Berlin 3−1 = 2    reserved: Shopify 2, Vendure 2
    //   mug:    3PL 4−5 → 0,       Munich 6−1 = 5                   reserved: Shopify 1
    //   hoodie: 3PL 12−5 = 7,      Berlin 2−1 = 1                   reserved: Shopify 1
    //   socks:  3PL 87−5 = 82                                       reserved: Vendure 1
    //   cap:    Munich 12−1 = 11
    // Shopify counts all three locations: tee 243−4 = 239, at most 100; mug 5−1 = 4; hoodie 8−1 = 7; socks 82−1 = 81; cap 11.
    expect(runs['stock-to-shopify']).toMatchObject({ status: 'ok', read: 5, written: 5, deadLettered: 0, outcomes: { set: 5 } });
    expect(shopifyShows(shopify)).toEqual({ 'NH-TEE-BLK-M': 100, 'NH-MUG-WHT': 4, 'NH-HOOD-GRY-L': 7, 'NH-SOCK-3PK': 81, 'NH-CAP-NVY': 11 });
    // Vendure counts the 3PL only; Shopify's orders can be served from the stores, so they leave the 3PL to Vendure:
    // tee 233−2 = 231, less 2 held back = 229; mug 0; hoodie 7−2 = 5; socks 82−1−2 = 79; the cap has no stock there.
    // Vendure's stock on hand is that plus what it has allocated to its open order 41: tee 229+2, socks 79+1.
    expect(runs['stock-to-vendure']).toMatchObject({ status: 'ok', read: 5, written: 5, deadLettered: 0, outcomes: { unknown_sku: 1 } });
    expect(vendureOnHand(vendure)).toEqual({ 'NH-TEE-BLK-M': 231, 'NH-MUG-WHT': 0, 'NH-HOOD-GRY-L': 5, 'NH-SOCK-3PK': 80 });

    // The Munich till reports the next morning: 2 mugs left (free 1). Only Shopify's mug changes: 1 − 1 reserved = 0.
    const tillExport = 'filiale;artikelnr;ean;bezeichnung;bestand;reserviert;verfuegbar;stand\nM01;NH-TEE-BLK-M;;;9;0;9;15.05.2026 09:00\nM01;NH-MUG-WHT;;;2;0;2;15.05.2026 09:00\nM01;NH-CAP-NVY;;;12;0;12;15.05.2026 09:00\n';
    writeFileSync(project.path('data/pos-stock/pos-stock-M01-2026-05-15.csv'), tillExport);
    const second = runsOf(await project.keel(['run', project.dir, '--json']));
    expect(second['stock-from-stores']).toMatchObject({ read: 3, written: 3 });
    expect(second['stock-to-shopify']).toMatchObject({ read: 1, written: 1 });
    expect(second['stock-to-vendure']).toMatchObject({ read: 0, written: 0 });
    expect(shopifyShows(shopify)['NH-MUG-WHT']).toBe(0);

    // #1001 is cancelled in Shopify: its tees and mug are free again. Shopify's mug: 1 free, none reserved = 1;
    // its tee stays at the cap; Vendure counted #1001's tees against the stores already, so it sees no change.
    const cancelled = shopify.orders[0];
    if (cancelled !== undefined) cancelled.cancelledAt = new Date().toISOString();
    shopify.update(1001);
    const third = runsOf(await project.keel(['run', project.dir, '--json']));
    expect(third['reserve-shopify-orders']).toMatchObject({ read: 1, written: 1, outcomes: { released: 1 } });
    expect(third['stock-to-shopify']).toMatchObject({ read: 1, written: 1 });
    expect(third['stock-to-vendure']).toMatchObject({ read: 0 });
    expect(shopifyShows(shopify)).toEqual({ 'NH-TEE-BLK-M': 100, 'NH-MUG-WHT': 1, 'NH-HOOD-GRY-L': 7, 'NH-SOCK-3PK': 81, 'NH-CAP-NVY': 11 });
    expect(vendureOnHand(vendure)).toEqual({ 'NH-TEE-BLK-M': 231, 'NH-MUG-WHT': 0, 'NH-HOOD-GRY-L': 5, 'NH-SOCK-3PK': 80 });
  }, CLI_TEST_TIMEOUT_MS);
});
