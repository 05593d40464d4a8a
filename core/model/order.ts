import { Type, type Static } from '@sinclair/typebox';
import { Address } from './address.js';
import { Customer } from './customer.js';
import { Discount, Fee, OrderTotals, ShippingCharge, TaxLine } from './order-charges.js';
import { OrderLine } from './order-line.js';
import { Payment, PaymentStatusField } from './payment.js';
import { Code, CurrencyCode, ExternalId, Extensions, OptionalText, StringEnum, Timestamp, withDescription, entity } from './fields.js';

/**
 * Where the goods of an order stand, in lifecycle order. `pending` is an order that may not be
 * fulfilled yet (awaiting payment or review: Amazon Pending, WooCommerce on-hold); money is
 * tracked apart in `payment_status`.
 */
export const ORDER_STATUSES = [
  'pending',
  'received',
  'routed',
  'confirmed',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
  'partially_returned',
  'returned',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Required is what routing and an ERP cannot do without: channel, id, status, currency, lines
 * and when the order was placed. Every sample source has these or its mapping can supply them
 * (openTRANS orders arrive as "received"; Amazon's currency follows from the marketplace when a
 * pending order has no OrderTotal). Totals, customer and addresses are optional because Amazon
 * withholds them for pending orders and click-and-collect has no shipping address.
 */
export const Order = Type.Object(
  {
    channel: Code('Channel the order was placed in, as the integrator names it, e.g. "shopify-de", "amazon-fr", "store-pos".'),
    external_id: ExternalId("The order's id in the channel; with `channel` it is the order's key."),
    order_number: OptionalText('Number shown to the buyer when it differs from the id, e.g. Shopify "#1001", Vendure code.'),
    external_ids: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), {
        description: 'Ids of the order in other systems, keyed by system, e.g. { "erp": "4500012", "3pl": "F-88" }.',
      }),
    ),
    status: StringEnum(ORDER_STATUSES, { description: 'Where the goods of the order stand.' }),
    payment_status: Type.Optional(PaymentStatusField('Where the money of the order stands.')),
    currency: CurrencyCode('ISO 4217 currency the buyer was charged in; every amount on the order uses it.'),
    prices_include_tax: Type.Optional(Type.Boolean({ description: 'Whether unit prices and line totals include tax.' })),
    customer: Type.Optional(withDescription(Customer, 'The buyer, as far as the channel discloses.')),
    billing_address: Type.Optional(withDescription(Address, 'Invoice address.')),
    shipping_address: Type.Optional(withDescription(Address, 'Delivery address; absent for click-and-collect and digital goods.')),
    pickup_location_id: Type.Optional(ExternalId('Click-and-collect: id of the store (a Location) where the buyer collects the order.')),
    lines: Type.Array(withDescription(OrderLine, 'One ordered SKU.'), { minItems: 1, description: 'Ordered SKUs with quantities.' }),
    discounts: Type.Optional(Type.Array(Discount, { description: 'Discounts on the whole order (line discounts sit on the lines).' })),
    shipping_charges: Type.Optional(Type.Array(ShippingCharge, { description: 'Shipping charged to the buyer.' })),
    fees: Type.Optional(Type.Array(Fee, { description: 'Other charges: gift wrap, cash on delivery.' })),
    taxes: Type.Optional(Type.Array(TaxLine, { description: 'Tax per rate over the whole order.' })),
    totals: Type.Optional(withDescription(OrderTotals, 'Totals as the channel computed them.')),
    payments: Type.Optional(Type.Array(Payment, { description: 'Payments towards the order.' })),
    note: OptionalText("Buyer's note to the seller."),
    created_at: Timestamp('When the order was placed. Sources without an offset (WooCommerce date_created, openTRANS) get it from their mapping: the *_gmt field plus "Z", or the partner\'s time zone.'),
    updated_at: Type.Optional(Timestamp('When the order last changed in the channel.')),
    cancelled_at: Type.Optional(Timestamp('When the order was cancelled.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'A sales order from any channel.' },
);

export const OrderSchema = entity('order', 'Order', Order);
export type Order = Static<typeof OrderSchema>;
