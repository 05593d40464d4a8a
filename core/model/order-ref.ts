import { Type, type Static } from '@sinclair/typebox';
import { Code, ExternalId } from './fields.js';

/** Orders are keyed by channel plus the channel's order id: ids from two shops may collide. */
export const OrderRef = Type.Object(
  {
    channel: Code('Channel the order was placed in, e.g. "shopify-de".'),
    external_id: ExternalId("The order's id in that channel."),
  },
  { additionalProperties: false, description: 'Points at an order by its key: channel plus external id.' },
);
export type OrderRef = Static<typeof OrderRef>;
