import { Type, type Static } from '@sinclair/typebox';
import { OrderRef } from './order-ref.js';
import { Code, ExternalId, Extensions, OptionalText, Sku, StringEnum, Timestamp, withDescription, entity } from './fields.js';

const stockCount = (description: string) => Type.Optional(Type.Integer({ description }));

/**
 * Stock of one SKU at one location as one source reports it. Sources report different numbers
 * (Shopify only `available`, an ERP only `on_hand`, Medusa both), so at least one of the two is
 * required. Counts may be negative: ERPs book issues before receipts and shops oversell, and a
 * stale positive number is worse than an honest negative one.
 */
export const StockLevel = Type.Object(
  {
    sku: Sku(),
    location_id: ExternalId('Location (warehouse, store, 3PL) holding the stock.'),
    on_hand: stockCount('Units physically at the location, including reserved ones.'),
    reserved: Type.Optional(Type.Integer({ minimum: 0, description: 'Units promised to orders and not yet shipped.' })),
    available: stockCount('Units that can still be sold: on_hand minus reserved, as the source computes it.'),
    updated_at: Timestamp('When the source last changed this level; later reports of the same source win.'),
    source: Code('System that reported the level, e.g. "erp", "3pl-fiege", "pos".'),
    extensions: Extensions(),
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['on_hand'] }, { required: ['available'] }],
    description: 'Stock of one SKU at one location, as one source reports it.',
  },
);
export const StockLevelSchema = entity('stock-level', 'Stock level', StockLevel);
export type StockLevel = Static<typeof StockLevelSchema>;

export const STOCK_MOVEMENT_REASONS = ['receipt', 'sale', 'return', 'transfer_in', 'transfer_out', 'adjustment', 'count', 'damage'] as const;
export type StockMovementReason = (typeof STOCK_MOVEMENT_REASONS)[number];

/** A change of on-hand stock. `movement_id` is required because replays must not book a movement twice. */
export const StockMovement = Type.Object(
  {
    movement_id: ExternalId('Id of the movement in the source; the idempotency key of the booking.'),
    sku: Sku(),
    location_id: ExternalId('Location whose stock changed.'),
    delta: Type.Integer({ description: 'Change of on-hand units: positive in, negative out.' }),
    reason: StringEnum(STOCK_MOVEMENT_REASONS, {
      description: 'Why the stock changed; vendor reasons without a match map to "adjustment" and keep their code in extensions.',
    }),
    occurred_at: Timestamp('When the movement happened physically.'),
    source: Code('System that reported the movement.'),
    order: Type.Optional(withDescription(OrderRef, 'Order that caused the movement, for sales and returns.')),
    reference: OptionalText('Other document that caused it: goods receipt, transfer or count number.'),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'A change of stock of one SKU at one location.' },
);
export const StockMovementSchema = entity('stock-movement', 'Stock movement', StockMovement);
export type StockMovement = Static<typeof StockMovementSchema>;
