/**
 * The `orders` stream: orders as the GraphQL Admin API returns them (`id` is a global id, money
 * is a MoneyBag, line items are `lineItems.nodes`), read by updatedAt; mapped to Keel's order by
 * mappings/shopify/order-graphql.to-canonical.json.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ORDERS_EXAMPLES } from './examples.js';
import type { JsonObject } from '../../core/json.js';
import { defineStream, type ReadContext, type SourcePage } from '../../core/sdk/connector.js';
import { bulkApplies, readBulk, type BulkExport } from './bulk-read.js';
import { shopifySettings, type ShopifyConfig } from './config.js';
import { shopifyGraphqlFor, type Operation } from './graphql-client.js';
import { readUpdated, type ConnectionReader } from './read-updated.js';
import { checkUpdatedOptions, updatedReadOptions } from './updated-options.js';
import { walkBackfill } from '../../core/http/incremental.js';

export const OrderReadOptions = Type.Object(
  {
    ...updatedReadOptions({ pageSize: 10, maxPageSize: 250 }),
    line_items_per_page: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 250, default: 10, description: 'line items asked for with each order; an order with more gets the rest by follow-up queries' }),
    ),
  },
  { additionalProperties: false },
);
export type OrderReadOptions = Static<typeof OrderReadOptions>;

const MONEY = 'shopMoney { amount currencyCode }';
const ADDRESS = 'firstName lastName company address1 address2 zip city provinceCode countryCodeV2 phone latitude longitude';
const TAX_LINES = `taxLines { title rate priceSet { ${MONEY} } }`;
/** The order's own fields; the paged and the bulk query ask for the same, so records look alike either way. */
export const ORDER_FIELDS = `id legacyResourceId name email phone createdAt updatedAt processedAt cancelledAt cancelReason closedAt
      currencyCode taxesIncluded displayFinancialStatus displayFulfillmentStatus note tags sourceName discountCodes
      customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
      billingAddress { ${ADDRESS} }
      shippingAddress { ${ADDRESS} }
      subtotalPriceSet { ${MONEY} } totalDiscountsSet { ${MONEY} } totalShippingPriceSet { ${MONEY} } totalTaxSet { ${MONEY} } totalPriceSet { ${MONEY} }
      ${TAX_LINES}
      shippingLine { code title originalPriceSet { ${MONEY} } }`;
export const LINE_ITEM_FIELDS = `id sku name title quantity currentQuantity variant { id }
        originalUnitPriceSet { ${MONEY} } discountedTotalSet { ${MONEY} } ${TAX_LINES}`;

/**
 * A first guess of a page's requested points until Shopify reports it: an object costs 1, a
 * connection 2 plus its page size times a node (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits).
 * An order with its customer, addresses and money bags is about 14, a line item about 6.
 */
const ORDER_POINTS = 14;
const LINE_POINTS = 6;

const ORDERS: Operation = {
  name: 'KeelOrders',
  document: `query KeelOrders($first: Int!, $after: String, $query: String, $lineItems: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      ${ORDER_FIELDS}
      lineItems(first: $lineItems) {
        nodes { ${LINE_ITEM_FIELDS} }
        pageInfo { hasNextPage endCursor }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  estimate: (variables) => 2 + Number(variables['first']) * (ORDER_POINTS + 2 + Number(variables['lineItems']) * LINE_POINTS),
};

const ORDER_LINE_ITEMS: Operation = {
  name: 'KeelOrderLineItems',
  document: `query KeelOrderLineItems($id: ID!, $first: Int!, $after: String) {
  node(id: $id) {
    ... on Order {
      lineItems(first: $first, after: $after) {
        nodes { ${LINE_ITEM_FIELDS} }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`,
  estimate: (variables) => 3 + Number(variables['first']) * LINE_POINTS,
};

const READER: ConnectionReader = { root: 'orders', operation: ORDERS, nested: [{ field: 'lineItems', sizeVariable: 'lineItems', operation: ORDER_LINE_ITEMS }] };

/** Bulk queries take no variables and no page sizes: every order and every line item. */
export const ORDERS_BULK: BulkExport = {
  query: (filter) => `{
  orders(sortKey: UPDATED_AT${filter !== null ? `, query: ${JSON.stringify(filter)}` : ''}) {
    edges {
      node {
        ${ORDER_FIELDS}
        lineItems { edges { node { ${LINE_ITEM_FIELDS} } } }
      }
    }
  }
}`,
  children: { LineItem: 'lineItems' },
};

async function* readOrders(ctx: ReadContext<ShopifyConfig, OrderReadOptions>): AsyncIterable<SourcePage> {
  const client = shopifyGraphqlFor(shopifySettings(ctx.config));
  if (bulkApplies(ctx)) {
    yield* readBulk(ctx, client, ORDERS_BULK, 'orders');
    return;
  }
  const variables: JsonObject = { lineItems: ctx.options.line_items_per_page ?? 10 };
  yield* readUpdated(ctx, client, READER, variables);
}

export const orders = defineStream<ShopifyConfig, typeof OrderReadOptions, TSchema>({
  description: 'Orders with their line items, as the GraphQL Admin API returns them; incremental by updatedAt, or a bulk export for the first sync.',
  status: 'beta',
  examples: ORDERS_EXAMPLES,
  primaryKey: ['id'],
  read: {
    options: OrderReadOptions,
    // (id, updatedAt) pairs near the boundary are remembered, so the walk is safe to resume.
    incremental: { cursor: 'updatedAt with look-back and (id, updatedAt) de-duplication', monotonic: true },
    // A live API answers differently the second time: resume from the checkpoint, not by counting.
    replayable: false,
    check: (options) => checkUpdatedOptions(options),
    // A backfill moves the updated-at boundary to the time given.
    backfill: walkBackfill,
    read: readOrders,
  },
});
