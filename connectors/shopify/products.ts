/**
 * The `products` stream: products with their variants (SKU, barcode, price, inventory item), read
 * fully or by updatedAt, page by page or as a bulk export.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PRODUCTS_EXAMPLES } from './examples.js';
import type { JsonObject } from '../../core/json.js';
import { defineStream, type ReadContext, type SourcePage } from '../../core/sdk/connector.js';
import { bulkApplies, readBulk, type BulkExport } from './bulk-read.js';
import { shopifySettings, type ShopifyConfig } from './config.js';
import { shopifyGraphqlFor, type Operation } from './graphql-client.js';
import { readUpdated, type ConnectionReader } from './read-updated.js';
import { checkUpdatedOptions, updatedReadOptions } from './updated-options.js';
import { walkBackfill } from '../../core/http/incremental.js';

export const ProductReadOptions = Type.Object(
  {
    ...updatedReadOptions({ pageSize: 10, maxPageSize: 250 }),
    variants_per_page: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 250, default: 25, description: 'variants asked for with each product; a product with more gets the rest by follow-up queries' }),
    ),
  },
  { additionalProperties: false },
);
export type ProductReadOptions = Static<typeof ProductReadOptions>;

export const PRODUCT_FIELDS = 'id legacyResourceId title handle status vendor productType tags descriptionHtml createdAt updatedAt publishedAt';
export const VARIANT_FIELDS = `id legacyResourceId sku barcode title price compareAtPrice position inventoryQuantity
        selectedOptions { name value } inventoryItem { id tracked }`;

/** First guesses until Shopify reports the requested cost (see orders.ts). */
const PRODUCT_POINTS = 3;
const VARIANT_POINTS = 3;

const PRODUCTS: Operation = {
  name: 'KeelProducts',
  document: `query KeelProducts($first: Int!, $after: String, $query: String, $variants: Int!) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      ${PRODUCT_FIELDS}
      variants(first: $variants) {
        nodes { ${VARIANT_FIELDS} }
        pageInfo { hasNextPage endCursor }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  estimate: (variables) => 2 + Number(variables['first']) * (PRODUCT_POINTS + 2 + Number(variables['variants']) * VARIANT_POINTS),
};

const PRODUCT_VARIANTS: Operation = {
  name: 'KeelProductVariants',
  document: `query KeelProductVariants($id: ID!, $first: Int!, $after: String) {
  node(id: $id) {
    ... on Product {
      variants(first: $first, after: $after) {
        nodes { ${VARIANT_FIELDS} }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`,
  estimate: (variables) => 3 + Number(variables['first']) * VARIANT_POINTS,
};

const READER: ConnectionReader = { root: 'products', operation: PRODUCTS, nested: [{ field: 'variants', sizeVariable: 'variants', operation: PRODUCT_VARIANTS }] };

export const PRODUCTS_BULK: BulkExport = {
  query: (filter) => `{
  products(sortKey: UPDATED_AT${filter !== null ? `, query: ${JSON.stringify(filter)}` : ''}) {
    edges {
      node {
        ${PRODUCT_FIELDS}
        variants { edges { node { ${VARIANT_FIELDS} } } }
      }
    }
  }
}`,
  children: { ProductVariant: 'variants' },
};

async function* readProducts(ctx: ReadContext<ShopifyConfig, ProductReadOptions>): AsyncIterable<SourcePage> {
  const client = shopifyGraphqlFor(shopifySettings(ctx.config));
  if (bulkApplies(ctx)) {
    yield* readBulk(ctx, client, PRODUCTS_BULK, 'products');
    return;
  }
  const variables: JsonObject = { variants: ctx.options.variants_per_page ?? 25 };
  yield* readUpdated(ctx, client, READER, variables);
}

export const products = defineStream<ShopifyConfig, typeof ProductReadOptions, TSchema>({
  description: 'Products with their variants (SKU, barcode, price, inventory item id); full or incremental by updatedAt.',
  status: 'beta',
  examples: PRODUCTS_EXAMPLES,
  primaryKey: ['id'],
  read: {
    options: ProductReadOptions,
    incremental: { cursor: 'updatedAt with look-back and (id, updatedAt) de-duplication', monotonic: true },
    replayable: false,
    check: (options) => checkUpdatedOptions(options),
    // A backfill moves the updated-at boundary to the time given.
    backfill: walkBackfill,
    read: readProducts,
  },
});
