/**
 * WooCommerce's answers, mapped to Keel's error kinds by explicit tables, never by guessing from
 * message text. WooCommerce (on the WordPress REST API) answers a refused request with an HTTP
 * status and a body `{ code, message, data: { status } }`; the `code` is what the tables match.
 * A batch request (`POST …/batch`) answers 200 with one entry per item, and an item it refused
 * carries `error: { code, message, data }` in place of the object.
 */
import type { StatusTable } from '../../core/http/status-table.js';

const KEY_REFUSED =
  'the REST API key was refused: check consumer_key and consumer_secret (WooCommerce > Settings > Advanced > REST API), and that the key is not revoked; behind Apache/CGI the Authorization header may be dropped by the server';

/** On top of core/http's default table (status-table.ts): 401/403 auth, 429 and 5xx retried, other 4xx a record error. */
export const WOOCOMMERCE_STATUSES: StatusTable = {
  '400': [
    {
      kind: 'config',
      code: 'woocommerce_invalid_param',
      body: /"code"\s*:\s*"rest_invalid_param"/,
      hint: 'WooCommerce refused a query parameter: orders and products by modified_after and orderby=modified need WooCommerce 5.8 or later',
    },
  ],
  '401': [
    { kind: 'auth', code: 'woocommerce_cannot_view', body: /woocommerce_rest_cannot_view/, hint: KEY_REFUSED },
    { kind: 'auth', code: 'woocommerce_auth_refused', body: /woocommerce_rest_authentication_error|invalid signature|consumer key/i, hint: KEY_REFUSED },
    { kind: 'auth', code: 'woocommerce_auth_refused', hint: KEY_REFUSED },
  ],
  '403': [
    {
      kind: 'auth',
      code: 'woocommerce_forbidden',
      hint: 'the REST API key may not do this: stock writes need a Read/Write key of a user who may edit products (shop manager or administrator)',
    },
  ],
  '404': [
    {
      kind: 'config',
      code: 'woocommerce_no_route',
      body: /rest_no_route/,
      hint: 'no such REST route: base_url must be the wc/v3 root (https://<shop>/wp-json/wc/v3), WooCommerce 3.5 or later active, permalinks not "Plain"',
    },
  ],
  '413': [{ kind: 'config', code: 'woocommerce_batch_too_large', hint: 'the shop takes fewer items per batch than Keel sends (up to 100): its woocommerce_rest_batch_items_limit filter was lowered; set options.batch_size to what it allows' }],
};

/** A refused item of a batch answer, by WooCommerce's `error.code`; every one is a permanent record error. */
export interface ItemErrorRow {
  code: string;
  hint: string;
  /** The id Keel looked up for the SKU no longer names a product: look the SKU up again next time. */
  staleId?: boolean;
}

export const ITEM_ERRORS: Readonly<Record<string, ItemErrorRow>> = {
  woocommerce_rest_product_invalid_id: { code: 'woocommerce_product_gone', hint: 'the product was deleted since its SKU was looked up; replay the record', staleId: true },
  woocommerce_rest_product_variation_invalid_id: { code: 'woocommerce_product_gone', hint: 'the variation was deleted since its SKU was looked up; replay the record', staleId: true },
  woocommerce_rest_invalid_id: { code: 'woocommerce_product_gone', hint: 'no product has this id any more; replay the record', staleId: true },
  woocommerce_rest_cannot_edit: { code: 'woocommerce_cannot_edit', hint: "the key's user may not edit this product" },
  rest_invalid_param: { code: 'woocommerce_item_invalid', hint: 'WooCommerce refused a value of the item' },
};

const OTHER_ITEM_ERROR: ItemErrorRow = { code: 'woocommerce_item_refused', hint: 'WooCommerce refused the item' };

/** The row for an item error's code: the table's, or a generic permanent one. */
export function itemErrorRow(code: unknown): ItemErrorRow {
  return (typeof code === 'string' ? ITEM_ERRORS[code] : undefined) ?? OTHER_ITEM_ERROR;
}
