import { Type, type Static } from '@sinclair/typebox';
import { Money } from './money.js';
import { OrderRef } from './order-ref.js';
import { Code, ExternalId, Extensions, OptionalText, Quantity, Sku, StringEnum, Timestamp, withDescription, entity } from './fields.js';

export const RETURN_STATUSES = ['requested', 'authorized', 'received', 'completed', 'rejected', 'cancelled'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const RETURN_REASONS = [
  'damaged',
  'defective',
  'wrong_item',
  'not_as_described',
  'too_small',
  'too_large',
  'unwanted',
  'arrived_late',
  'other',
] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

export const ReturnLine = Type.Object(
  {
    sku: Sku(),
    quantity: Quantity('Units returned.', 1),
    line_id: Type.Optional(ExternalId('Order line returned; without it lines match by SKU.')),
    reason: Type.Optional(StringEnum(RETURN_REASONS, { description: 'Why the buyer returned it.' })),
    reason_note: OptionalText("The buyer's own words."),
    restock: Type.Optional(Type.Boolean({ description: 'Whether the units go back to sellable stock after inspection.' })),
  },
  { additionalProperties: false, description: 'Units of one SKU returned.' },
);
export type ReturnLine = Static<typeof ReturnLine>;

export const REFUND_STATUSES = ['pending', 'completed', 'failed'] as const;

export const Refund = Type.Object(
  {
    amount: withDescription(Money, 'Amount refunded, as a positive number.'),
    status: Type.Optional(StringEnum(REFUND_STATUSES, { description: 'Whether the money went back.' })),
    method: OptionalText('How: original payment method, voucher, cash in store.'),
    transaction_id: Type.Optional(ExternalId("Payment provider's refund id.")),
    refunded_at: Type.Optional(Timestamp('When the refund was issued.')),
  },
  { additionalProperties: false, description: 'Money given back for a return.' },
);
export type Refund = Static<typeof Refund>;

/** The order is optional: a store may take back goods without a receipt. */
export const Return = Type.Object(
  {
    return_id: ExternalId('Id of the return (RMA number) in the system that reports it.'),
    order: Type.Optional(withDescription(OrderRef, 'Order the goods came from.')),
    channel: Type.Optional(Code('Channel the return was made in; may differ from the order\'s (bought online, returned in store).')),
    status: StringEnum(RETURN_STATUSES, { description: 'Where the return stands; the refund has its own status.' }),
    location_id: Type.Optional(ExternalId('Location that receives the goods.')),
    lines: Type.Array(withDescription(ReturnLine, 'Units of one SKU.'), { minItems: 1, description: 'What comes back, with reasons.' }),
    refund: Type.Optional(withDescription(Refund, 'Money given back.')),
    created_at: Timestamp('When the return was requested or recorded.'),
    received_at: Type.Optional(Timestamp('When the goods arrived at the location.')),
    updated_at: Type.Optional(Timestamp('When the return last changed.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'Goods coming back from a buyer, with reasons and refund.' },
);

export const ReturnSchema = entity('return', 'Return', Return);
export type Return = Static<typeof ReturnSchema>;
