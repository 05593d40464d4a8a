import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { EMULATOR_TOKEN, type ShopifyEmulator } from '../test-support/shopify-emulator.js';
import { CLI_TEST_TIMEOUT_MS, initReadyMade, pointShopifyAt, runsOf, startShopify, Teardown, validateAndTest } from '../test-support/ready-made-project.js';

/**
 * The ready-made pipeline shopify-orders-to-erp, started with `keel init --from` and run with the
 * CLI against the Shopify emulator; the ERP's inbox is a folder (its SFTP binding runs in
 * shopify-orders-to-erp.real.test.ts). Expected documents are worked out from the orders below.
 */
const SAMPLES = fileURLToPath(new URL('../mappings/opentrans/samples/', import.meta.url));
const xsd = (fileName: string) => ({ fileName, contents: readFileSync(join(SAMPLES, fileName), 'utf8') });

const teardown = new Teardown();
afterEach(() => teardown.run());

/** Three orders: #1001 paid (a tee ×2 at 24.95, a mug at 14.90), #1002 not paid yet, #1003 paid and cancelled. */
async function startShop(): Promise<{ emulator: ShopifyEmulator; env: Record<string, string> }> {
  const lines: Record<number, { sku: string; name: string; quantity: number; unitCents: number }[]> = {
    1001: [
      { sku: 'NH-TEE-BLK-M', name: 'Harbour Tee - Black / M', quantity: 2, unitCents: 2495 },
      { sku: 'NH-MUG-WHT', name: 'Anchor Mug - White', quantity: 1, unitCents: 1490 },
    ],
    1002: [{ sku: 'NH-HOOD-GRY-L', name: 'Pier Hoodie - Grey / L', quantity: 1, unitCents: 5900 }],
    1003: [{ sku: 'NH-CAP-NVY', name: 'Dock Cap - Navy', quantity: 1, unitCents: 1995 }],
  };
  const { shop: emulator, url } = await startShopify({ orders: 3, orderLines: (number) => lines[number] ?? [] }, teardown);
  const [, pending, cancelled] = emulator.orders;
  if (pending === undefined || cancelled === undefined) throw new Error('the emulator made fewer orders than asked');
  pending.financialStatus = 'PENDING';
  cancelled.cancelledAt = cancelled.updatedAt;
  return { emulator, env: { SHOPIFY_TOKEN: EMULATOR_TOKEN, SHOPIFY_BASE_URL: url } };
}

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ['ORDER_ITEM', 'PARTY'].includes(name) });

interface OrderDocument {
  ORDER: {
    '@_version': string;
    ORDER_HEADER: { ORDER_INFO: { ORDER_ID: string; ORDER_DATE: string; CUSTOMER_ORDER_REFERENCE: { ORDER_ID: string }; 'bmecat:CURRENCY': string; PARTIES: { PARTY: { PARTY_ROLE: string; ADDRESS: Record<string, unknown> }[] } } };
    ORDER_ITEM_LIST: { ORDER_ITEM: { LINE_ITEM_ID: string; PRODUCT_ID: { 'bmecat:SUPPLIER_PID': string }; QUANTITY: string; PRICE_LINE_AMOUNT: string }[] };
    ORDER_SUMMARY: { TOTAL_ITEM_NUM: string; TOTAL_AMOUNT: string };
  };
}

describe('ready-made pipeline shopify-orders-to-erp', () => {
  it('keel init --from copies a project that validates, passes its tests and books paid orders in the ERP inbox as valid openTRANS', async () => {
    const { emulator, env } = await startShop();
    const { project, init } = await initReadyMade('shopify-orders-to-erp', env, teardown);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('connections (roles) to bind in');
    expect(init.stdout).toContain('shop (shopify), erp_inbox (file)');
    expect(init.stdout).toContain('export before a run: SHOPIFY_SHOP, SHOPIFY_TOKEN');
    expect(project.files('.').sort()).toEqual(['README.md', 'fixtures', 'keel.yaml', 'pipelines']);

    // As shipped, the shop is a *.myshopify.com domain from the environment: unset, validate says which variable.
    const unbound = await project.keel(['validate', project.dir], { SHOPIFY_TOKEN: '' });
    expect(unbound.code).toBe(2);
    expect(unbound.stderr).toContain('environment variable SHOPIFY_SHOP is not set');

    pointShopifyAt(project, 'shop', 'SHOPIFY_BASE_URL');
    expect(await validateAndTest(project)).toEqual({ validate: 'exit 0: ok: 1 pipeline(s) valid: orders-to-erp', test: 'exit 0: 2 passed, 0 failed' });

    const first = await project.keel(['run', project.dir, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(runsOf(first)['orders-to-erp']).toMatchObject({ status: 'ok', read: 3, written: 1, skipped: 2, deadLettered: 0 });
    const [file, ...others] = project.files('data/erp-inbox');
    expect(others).toEqual([]);
    const xml = readFileSync(project.path('data/erp-inbox', file ?? ''), 'utf8');

    // libxml2 against the openTRANS 2.1 XSD: the ERP can import what it gets.
    const validation = await validateXML({
      xml: [{ fileName: 'order.xml', contents: xml }],
      schema: [xsd('opentrans_2_1.xsd')],
      preload: ['bmecat_2005.xsd', 'xmldsig-core-schema.xsd', 'xmlmime.xsd'].map(xsd),
    });
    expect(validation.errors).toEqual([]);

    // #1001 as the emulator holds it: created at the shop's first second, lines 2 × 24.95 and 1 × 14.90.
    const order = (parser.parse(xml) as OrderDocument).ORDER;
    expect(order['@_version']).toBe('2.1');
    expect(order.ORDER_HEADER.ORDER_INFO).toMatchObject({ ORDER_ID: '1001', ORDER_DATE: '2026-01-01T00:00:00Z', CUSTOMER_ORDER_REFERENCE: { ORDER_ID: '#1001' }, 'bmecat:CURRENCY': 'EUR' });
    expect(order.ORDER_HEADER.ORDER_INFO.PARTIES.PARTY.map((party) => [party.PARTY_ROLE, party.ADDRESS['bmecat:NAME'], party.ADDRESS['bmecat:CITY']])).toEqual([
      ['buyer', 'Erika Muster1001', 'Berlin'],
      ['delivery', 'Erika Muster1001', 'Berlin'],
    ]);
    expect(order.ORDER_ITEM_LIST.ORDER_ITEM.map((item) => [item.LINE_ITEM_ID, item.PRODUCT_ID['bmecat:SUPPLIER_PID'], item.QUANTITY, item.PRICE_LINE_AMOUNT])).toEqual([
      ['100100', 'NH-TEE-BLK-M', '2', '49.90'],
      ['100101', 'NH-MUG-WHT', '1', '14.90'],
    ]);
    // The net sum of the lines, as openTRANS wants it: 49.90 + 14.90.
    expect(order.ORDER_SUMMARY).toEqual({ TOTAL_ITEM_NUM: '2', TOTAL_AMOUNT: '64.80' });

    // #1002 is paid later: its updatedAt moves, the next run reads it and books it; #1001 is not sent again.
    const pending = emulator.orders[1];
    if (pending !== undefined) pending.financialStatus = 'PAID';
    emulator.update(1002);
    const second = await project.keel(['run', project.dir, '--json']);
    expect(runsOf(second)['orders-to-erp']).toMatchObject({ status: 'ok', read: 1, written: 1 });
    const booked = project.files('data/erp-inbox').map((name) => (parser.parse(readFileSync(project.path('data/erp-inbox', name), 'utf8')) as OrderDocument).ORDER);
    expect(booked.map((document) => document.ORDER_HEADER.ORDER_INFO.ORDER_ID)).toEqual(['1001', '1002']);
    expect(booked[1]?.ORDER_ITEM_LIST.ORDER_ITEM.map((item) => [item.PRODUCT_ID['bmecat:SUPPLIER_PID'], item.QUANTITY, item.PRICE_LINE_AMOUNT])).toEqual([['NH-HOOD-GRY-L', '1', '59.00']]);

    const third = await project.keel(['run', project.dir, '--json']);
    expect(runsOf(third)['orders-to-erp']).toMatchObject({ status: 'ok', read: 0, written: 0 });
  }, CLI_TEST_TIMEOUT_MS);

  it('when the shop refuses the token the run fails with exit 3, names access_token, never prints the token, and writes nothing', async () => {
    const { env } = await startShop();
    const { project } = await initReadyMade('shopify-orders-to-erp', { ...env, SHOPIFY_TOKEN: 'shpat_wrong_0000000000000000000000000' }, teardown);
    pointShopifyAt(project, 'shop', 'SHOPIFY_BASE_URL');
    const run = await project.keel(['run', project.dir]);
    expect(run.code).toBe(3);
    expect(run.stderr + run.stdout).toContain('access_token');
    expect(run.stderr + run.stdout).not.toContain('shpat_wrong_0000000000000000000000000');
    expect(project.files('data/erp-inbox')).toEqual([]);
  }, CLI_TEST_TIMEOUT_MS);
});
