import { Type, type Static } from '@sinclair/typebox';
import { Money } from './money.js';
import { ExternalId, OptionalText, StringEnum, Timestamp, withDescription } from './fields.js';

/** Where the money of an order stands, apart from where the goods stand (Shopify's financial_status set, plus failed). */
export const PAYMENT_STATUSES = ['pending', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded', 'voided', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PaymentStatusField = (description: string) => StringEnum(PAYMENT_STATUSES, { description });

/** Only the method is required: Amazon names payment methods but gives no amounts per payment. */
export const Payment = Type.Object(
  {
    method: Type.String({ minLength: 1, description: 'Payment method as the source names it, e.g. "credit_card", "paypal", "bacs".' }),
    gateway: OptionalText('Payment provider that processed it, e.g. "stripe".'),
    amount: Type.Optional(withDescription(Money, 'Amount of this payment.')),
    status: Type.Optional(PaymentStatusField('State of this payment.')),
    transaction_id: Type.Optional(ExternalId("Provider's transaction id, for reconciliation.")),
    processed_at: Type.Optional(Timestamp('When the payment was authorized or captured.')),
  },
  { additionalProperties: false, description: 'One payment towards an order.' },
);
export type Payment = Static<typeof Payment>;
