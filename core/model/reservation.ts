import { Type, type Static } from '@sinclair/typebox';
import { OrderRef } from './order-ref.js';
import { ExternalId, Extensions, Quantity, Sku, StringEnum, Timestamp, withDescription, entity } from './fields.js';

export const RESERVATION_STATUSES = ['active', 'fulfilled', 'released', 'expired'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * Units held for an order (or a cart) so no channel sells them twice. The location is optional:
 * a reservation can be taken for the channel before routing picks a location.
 */
export const Reservation = Type.Object(
  {
    reservation_id: ExternalId('Id of the reservation; replays update it instead of holding stock twice.'),
    sku: Sku(),
    location_id: Type.Optional(ExternalId('Location the units are held at; absent before routing.')),
    quantity: Quantity('Units held.', 1),
    status: StringEnum(RESERVATION_STATUSES, {
      description: 'active holds stock; fulfilled (shipped), released (cancelled) and expired no longer do.',
    }),
    order: Type.Optional(withDescription(OrderRef, 'Order the units are held for.')),
    order_line_id: Type.Optional(ExternalId('Line of that order.')),
    created_at: Timestamp('When the reservation was taken.'),
    expires_at: Type.Optional(Timestamp('When an active reservation lapses by itself (carts, unpaid orders).')),
    updated_at: Type.Optional(Timestamp('When the status last changed.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'Units of one SKU held for an order.' },
);

export const ReservationSchema = entity('reservation', 'Reservation', Reservation);
export type Reservation = Static<typeof ReservationSchema>;
