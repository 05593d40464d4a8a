import { Type, type Static } from '@sinclair/typebox';
import { ExternalId, Extensions, LocaleCode, OptionalText, Timestamp, entity } from './fields.js';

/**
 * Nothing is required: Amazon withholds the buyer's id and often the email, guest checkouts have
 * no customer id, openTRANS buyers may be a party id only. An empty object is still refused.
 */
export const Customer = Type.Object(
  {
    external_id: Type.Optional(ExternalId('Customer id in the source system; absent for guests and marketplace buyers.')),
    email: OptionalText('Email as given by the source; not format-checked, so a malformed address never rejects an order.'),
    phone: OptionalText('Phone number as given.'),
    name: OptionalText('Full name as one string, when the source does not split it (Amazon BuyerName).'),
    first_name: OptionalText('Given name.'),
    last_name: OptionalText('Family name.'),
    company: OptionalText('Company name for business customers.'),
    vat_id: OptionalText('VAT identification number for business customers, e.g. "DE123456789".'),
    locale: Type.Optional(LocaleCode('Preferred language as a BCP-47 tag, for notifications and documents.')),
    created_at: Type.Optional(Timestamp('When the customer account was created in the source.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, minProperties: 1, description: 'The buyer, as far as the channel discloses.' },
);

export const CustomerSchema = entity('customer', 'Customer', Customer);
export type Customer = Static<typeof CustomerSchema>;
