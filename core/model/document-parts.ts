import { Type, type Static } from '@sinclair/typebox';
import { Address } from './address.js';
import { Money } from './money.js';
import { ExternalId, OptionalText, Quantity, Rate, Sku, StringEnum, UnitCode, withDescription } from './fields.js';

/** openTRANS roles map here: supplier → seller, invoice_recipient → bill_to, delivery → ship_to, document_creator → issuer. */
export const PARTY_ROLES = ['seller', 'buyer', 'bill_to', 'ship_to', 'issuer', 'other'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

export const Party = Type.Object(
  {
    role: StringEnum(PARTY_ROLES, { description: 'Role of the party on the document.' }),
    party_id: Type.Optional(ExternalId('Id of the party, e.g. customer number, GLN or supplier id.')),
    name: OptionalText('Name of the person or company.'),
    vat_id: OptionalText('VAT identification number.'),
    tax_number: OptionalText('National tax number, where invoices must show it.'),
    email: OptionalText('Contact email.'),
    address: Type.Optional(withDescription(Address, 'Postal address of the party.')),
  },
  { additionalProperties: false, description: 'A party named on a document.' },
);
export type Party = Static<typeof Party>;

/** Quantities and amounts are as printed: a credit note shows positive numbers, its type gives the sign. */
export const DocumentLine = Type.Object(
  {
    line_id: Type.Optional(ExternalId('Line number on the document.')),
    order_line_id: Type.Optional(ExternalId('Order line it bills or delivers.')),
    sku: Type.Optional(Sku('SKU; absent for service lines such as shipping or fees.')),
    description: OptionalText('Text printed for the line.'),
    quantity: Quantity('Units, as an integer count of `unit`.'),
    unit: Type.Optional(UnitCode('Unit of `quantity` (UN/ECE Rec 20); absent means pieces (C62).')),
    unit_price: Type.Optional(withDescription(Money, 'Net price of one unit.')),
    discount: Type.Optional(withDescription(Money, 'Discount on the line, as a positive amount.')),
    net_amount: Type.Optional(withDescription(Money, 'Line amount after discount, before tax.')),
    tax_rate: Type.Optional(Rate('Tax rate as a fraction, "0.19" for 19 %.')),
    tax_amount: Type.Optional(withDescription(Money, 'Tax on the line.')),
  },
  { additionalProperties: false, description: 'A line of a document.' },
);
export type DocumentLine = Static<typeof DocumentLine>;

export const TaxBreakdown = Type.Object(
  {
    rate: Rate('Tax rate as a fraction, "0.19" for 19 %.'),
    category: OptionalText('Tax category, e.g. "standard_rate", "reduced_rate", "exempt", "reverse_charge".'),
    base: Type.Optional(withDescription(Money, 'Net amount taxed at this rate.')),
    amount: withDescription(Money, 'Tax at this rate.'),
  },
  { additionalProperties: false, description: 'Tax per rate, as invoices must show it.' },
);
export type TaxBreakdown = Static<typeof TaxBreakdown>;

export const DocumentTotals = Type.Object(
  {
    net: Type.Optional(withDescription(Money, 'Sum before tax.')),
    tax: Type.Optional(withDescription(Money, 'Sum of tax.')),
    total: withDescription(Money, 'Amount due or credited, tax included.'),
    paid: Type.Optional(withDescription(Money, 'Amount already paid.')),
  },
  { additionalProperties: false, description: 'Document totals.' },
);
export type DocumentTotals = Static<typeof DocumentTotals>;
