import { Type, type Static } from '@sinclair/typebox';
import { Money } from './money.js';
import { Code, OptionalText, Rate, withDescription } from './fields.js';

/** Parts of an order's price besides its lines. All amounts are positive; the field says which way they count. */

export const Discount = Type.Object(
  {
    code: OptionalText('Coupon or promotion code, e.g. "TENOFF".'),
    title: OptionalText('Name of the discount as shown to the buyer.'),
    amount: withDescription(Money, 'Amount taken off the order, as a positive number.'),
  },
  { additionalProperties: false, description: 'A discount on the whole order.' },
);
export type Discount = Static<typeof Discount>;

export const ShippingCharge = Type.Object(
  {
    method: OptionalText('Shipping method code in the source, e.g. "flat_rate".'),
    title: OptionalText('Shipping method as shown to the buyer.'),
    carrier: Type.Optional(Code('Carrier the buyer chose, when the channel fixes it, e.g. "dhl".')),
    amount: withDescription(Money, 'Shipping price charged.'),
    tax: Type.Optional(withDescription(Money, 'Tax on the shipping price.')),
  },
  { additionalProperties: false, description: 'A shipping charge.' },
);
export type ShippingCharge = Static<typeof ShippingCharge>;

export const Fee = Type.Object(
  {
    title: OptionalText('What the fee is for: gift wrap, cash on delivery, payment surcharge.'),
    amount: withDescription(Money, 'Fee charged.'),
    tax: Type.Optional(withDescription(Money, 'Tax on the fee.')),
  },
  { additionalProperties: false, description: 'Any other charge on the order.' },
);
export type Fee = Static<typeof Fee>;

export const TaxLine = Type.Object(
  {
    title: OptionalText('Name of the tax, e.g. "VAT" or "State Tax".'),
    rate: Type.Optional(Rate('Rate as a fraction, "0.19" for 19 %; absent where the source gives only the amount.')),
    base: Type.Optional(withDescription(Money, 'Amount the tax was computed on.')),
    amount: withDescription(Money, 'Tax amount.'),
  },
  { additionalProperties: false, description: 'Tax per rate over the whole order.' },
);
export type TaxLine = Static<typeof TaxLine>;

/** Only the grand total is required once totals are given; sources report the others unevenly. */
export const OrderTotals = Type.Object(
  {
    subtotal: Type.Optional(withDescription(Money, 'Sum of the lines before order discounts, shipping and fees.')),
    discount: Type.Optional(withDescription(Money, 'Sum of all discounts, as a positive amount.')),
    shipping: Type.Optional(withDescription(Money, 'Sum of shipping charges.')),
    tax: Type.Optional(withDescription(Money, 'Sum of all taxes.')),
    total: withDescription(Money, 'Grand total the buyer pays.'),
  },
  { additionalProperties: false, description: 'Order totals as the channel computed them.' },
);
export type OrderTotals = Static<typeof OrderTotals>;
