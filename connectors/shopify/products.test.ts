import { afterEach, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import { outboxRecords, SHOPIFY_ENV, shopifyProject } from '../../test-support/shopify-project.js';
import type { TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let emulator: ShopifyEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

interface ProductRecord {
  id: string;
  updatedAt: string;
  variants: { nodes: { sku: string; price: string; inventoryItem: { id: string } }[] };
}

const pipeline = (sync: string) => `name: products
source: { connection: shop, stream: products, sync: ${sync}, options: { page_size: 4, variants_per_page: 3 } }
targets:
  - { connection: outbox, stream: files, options: { path: "products-{seq}.ndjson" } }
`;

describe('shopify products', () => {
  it('reads every product with all its variants, page by page, fully and then by updatedAt', async () => {
    emulator = new ShopifyEmulator({ orders: 0, products: 11, variantsPerProduct: 7, bucket: { maximum: 2000, restoreRate: 20_000 } });
    project = shopifyProject(await emulator.start(), { 'full.yaml': pipeline('full'), 'incremental.yaml': pipeline('incremental').replace('name: products', 'name: products-changed') });
    expect((await runProject(project.dir, { env: SHOPIFY_ENV, pipeline: 'products' })).summary).toMatchObject({ status: 'ok', written: 11 });
    const products = outboxRecords<ProductRecord>(project);
    // Seven variants in pages of three: each product completed by two follow-up queries.
    expect(products.map((product) => product.variants.nodes.length)).toEqual(Array.from({ length: 11 }, () => 7));
    expect(products[0]?.variants.nodes.map((variant) => variant.sku)).toEqual(['TEE-1-S', 'TEE-1-M', 'TEE-1-L', 'TEE-1-XL', 'TEE-1-XXL', 'TEE-1-S5', 'TEE-1-M6']);
    expect(emulator.stats.operations['KeelProductVariants']).toBe(22);

    // Incremental: the first run reads all, the next only what changed.
    expect((await runProject(project.dir, { env: SHOPIFY_ENV, pipeline: 'products-changed' })).summary).toMatchObject({ status: 'ok', written: 11 });
    const product = emulator.products[4];
    if (product === undefined) throw new Error('no product');
    product.updatedAt = '2026-03-01T00:00:00Z';
    expect((await runProject(project.dir, { env: SHOPIFY_ENV, pipeline: 'products-changed' })).summary).toMatchObject({ status: 'ok', written: 1 });
    expect(outboxRecords<ProductRecord>(project).at(-1)).toMatchObject({ id: 'gid://shopify/Product/5', updatedAt: '2026-03-01T00:00:00Z' });
  });
});
