import { Type, type Static } from '@sinclair/typebox';
import { Money } from './money.js';
import { ExternalId, Extensions, Gtin, OptionalText, Quantity, Rate, Sku, UnitCode, withDescription, entity } from './fields.js';

/**
 * One ordered SKU. Quantities are integers in the line's unit: goods sold by length or weight use
 * a smaller unit (CMT, GRM) so stock arithmetic stays exact. Zero is allowed because marketplaces
 * report fully cancelled lines with quantity 0 (Amazon). Every amount is optional: Amazon leaves
 * prices out until an order is paid.
 */
export const OrderLine = Type.Object(
  {
    line_id: Type.Optional(ExternalId('Line id in the source; shipments and returns match lines by it, else by SKU.')),
    sku: Sku('SKU ordered. Sources without one (WooCommerce simple products) get one from their mapping, e.g. from the product id.'),
    title: OptionalText('Product name as shown to the buyer.'),
    gtin: Type.Optional(Gtin('GTIN/EAN/UPC of the item, 8, 12, 13 or 14 digits.')),
    quantity: Quantity('Units ordered, as an integer count of `unit`.'),
    quantity_shipped: Type.Optional(Quantity('Units shipped so far.')),
    quantity_cancelled: Type.Optional(Quantity('Units cancelled so far.')),
    unit: Type.Optional(UnitCode('Unit of `quantity` as a UN/ECE Rec 20 code; absent means pieces (C62).')),
    unit_price: Type.Optional(withDescription(Money, 'Price of one unit before line discounts; gross or net as the order says (prices_include_tax).')),
    discount: Type.Optional(withDescription(Money, 'Discount on the whole line, as a positive amount.')),
    tax: Type.Optional(withDescription(Money, 'Tax on the whole line.')),
    tax_rate: Type.Optional(Rate('Tax rate applied to the line as a fraction, "0.19" for 19 %.')),
    total: Type.Optional(withDescription(Money, 'Line total after line discounts (Amazon ItemPrice is this, not a unit price).')),
    fulfillment_location_id: Type.Optional(ExternalId('Location that fulfils the line, once routed.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'One line of an order: a SKU and a quantity.' },
);

export const OrderLineSchema = entity('order-line', 'Order line', OrderLine);
export type OrderLine = Static<typeof OrderLineSchema>;
