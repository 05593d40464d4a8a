import { Type } from '@sinclair/typebox';
import { walkReadOptions } from '../../core/http/walk-read-options.js';

/** Options of the streams read page by page (orders, products); every one described, as `keel connectors` and the README show them. */
export const listReadOptions = (what: string) => ({
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50, description: `${what} per request (per_page; WooCommerce takes at most 100)` })),
  ...walkReadOptions(what),
});

