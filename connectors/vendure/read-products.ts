import type { Static } from '@sinclair/typebox';
import type { ReadContext, SourcePage } from '../../core/sdk/connector.js';
import { adminApiFor, type Operation } from './admin-api.js';
import type { VendureConfig } from './config.js';
import { ListReadOptions } from './list-options.js';
import { readFullList, readIncrementalList, type ListQuery, type ListWalk } from './list-pages.js';

export const ProductsReadOptions = ListReadOptions('variants');
export type ProductsReadOptions = Static<typeof ProductsReadOptions>;

/** A sellable variant with its product, prices and stock per stock location. Amounts are Vendure's integers (two implied decimals). */
export const VARIANTS_QUERY: Operation = {
  name: 'KeelVariants',
  document: `query KeelVariants($options: ProductVariantListOptions) {
  productVariants(options: $options) {
    totalItems
    items {
      id sku name enabled createdAt updatedAt
      currencyCode price priceWithTax prices { currencyCode price }
      trackInventory outOfStockThreshold stockOnHand stockAllocated
      stockLevels { stockLocationId stockOnHand stockAllocated stockLocation { id name } }
      product { id name slug enabled }
    }
  }
}`,
  retrySafe: true,
};

const VARIANTS: ListQuery = { operation: VARIANTS_QUERY, field: 'productVariants' };

/**
 * A variant's `updatedAt` moves when the variant is saved (name, price, SKU, stock set through
 * the Admin API), not when orders allocate or sell its stock: an incremental read follows the
 * catalogue, a full read takes a stock snapshot.
 */
const VARIANT_WALKS: readonly ListWalk[] = [{ key: 'updated', field: 'updatedAt' }];

export function readProducts(ctx: ReadContext<VendureConfig, ProductsReadOptions>): AsyncIterable<SourcePage> {
  const api = adminApiFor(ctx.config);
  return ctx.sync === 'incremental' ? readIncrementalList(api, VARIANTS, VARIANT_WALKS, ctx.options, ctx) : readFullList(api, VARIANTS, ctx.options, ctx);
}
