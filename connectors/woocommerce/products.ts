/**
 * The `products` stream: products as `GET /products` returns them (sku, price, stock_quantity,
 * stock_status, manage_stock), a variable product with its variations read from
 * `GET /products/<id>/variations` in `variation_records` (its `variations` stays the id list).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { JsonObject } from '../../core/json.js';
import type { HttpClient } from '../../core/http/http-client.js';
import { defineStream, type ReadContext, type SourcePage } from '../../core/sdk/connector.js';
import { wooCommerceSettings, type WooCommerceConfig } from './config.js';
import { PRODUCTS_EXAMPLES } from './examples.js';
import { checkWalkStart } from '../../core/http/walk-read-options.js';
import { listReadOptions } from './list-options.js';
import { readAll, readCollection, type CallContext } from './rest-api.js';
import { walkBackfill } from '../../core/http/incremental.js';

export const ProductsReadOptions = Type.Object(
  {
    ...listReadOptions('products'),
    variations: Type.Optional(
      Type.Boolean({ default: true, description: "read each variable product's variations (one more request per variable product) into variation_records" }),
    ),
  },
  { additionalProperties: false },
);
export type ProductsReadOptions = Static<typeof ProductsReadOptions>;

function readProducts(ctx: ReadContext<WooCommerceConfig, ProductsReadOptions>): AsyncIterable<SourcePage> {
  const shopName = wooCommerceSettings(ctx.config).shopName;
  const withVariations = async (record: JsonObject, client: HttpClient, call: CallContext): Promise<void> => {
    if (record['type'] !== 'variable') return;
    record['variation_records'] = await readAll(client, `products/${String(record['id'])}/variations`, call, shopName);
  };
  return readCollection(ctx, 'products', { status: 'any' }, ctx.options.variations === false ? undefined : withVariations);
}

export const products = defineStream<WooCommerceConfig, typeof ProductsReadOptions, TSchema>({
  description: 'Products with SKU, price and stock, variable ones with their variations; incremental by date_modified_gmt (catalogue edits and stock changes).',
  primaryKey: ['id'],
  status: 'beta',
  examples: PRODUCTS_EXAMPLES,
  read: {
    options: ProductsReadOptions,
    incremental: { cursor: 'date_modified_gmt with look-back and (id, date_modified_gmt) de-duplication', monotonic: true },
    replayable: false,
    check: (options) => checkWalkStart(options),
    // A backfill moves the updated-at boundary to the time given.
    backfill: walkBackfill,
    read: readProducts,
  },
});
