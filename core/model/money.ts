import { Type, type Static } from '@sinclair/typebox';
import { CurrencyCode, Decimal, entity } from './fields.js';

/**
 * Money as a decimal string with its currency, never a binary float. Vendors that send minor
 * units (Vendure: 129900) or numbers (Amazon, Medusa) are converted by their mapping, which
 * knows the currency's exponent. Negative amounts are allowed: refunds and corrections.
 */
export const Money = Type.Object(
  {
    amount: Decimal('Decimal amount in major units, e.g. "19.90"; a string so no precision is lost.'),
    currency: CurrencyCode('ISO 4217 currency code, upper case, e.g. "EUR".'),
  },
  { additionalProperties: false, description: 'An amount of money in one currency.' },
);

export const MoneySchema = entity('money', 'Money', Money);
export type Money = Static<typeof MoneySchema>;
