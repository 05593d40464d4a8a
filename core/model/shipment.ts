import { Type, type Static } from '@sinclair/typebox';
import { Address } from './address.js';
import { OrderRef } from './order-ref.js';
import { Code, ExternalId, Extensions, OptionalText, Quantity, Sku, StringEnum, Timestamp, withDescription, entity } from './fields.js';

export const SHIPMENT_STATUSES = ['pending', 'shipped', 'in_transit', 'delivered', 'failed', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const Parcel = Type.Object(
  {
    parcel_id: Type.Optional(ExternalId('Id of the parcel (SSCC or the carrier label id); shipment lines point at it.')),
    tracking_number: OptionalText('Carrier tracking number of this parcel.'),
    tracking_url: OptionalText('Tracking page of this parcel; not format-checked, so an odd carrier URL never holds back a confirmation.'),
    weight_grams: Type.Optional(Type.Integer({ minimum: 0, description: 'Gross weight in grams.' })),
    length_mm: Type.Optional(Type.Integer({ minimum: 0, description: 'Length in millimetres.' })),
    width_mm: Type.Optional(Type.Integer({ minimum: 0, description: 'Width in millimetres.' })),
    height_mm: Type.Optional(Type.Integer({ minimum: 0, description: 'Height in millimetres.' })),
  },
  { additionalProperties: false, description: 'One package of a shipment.' },
);
export type Parcel = Static<typeof Parcel>;

export const ShipmentLine = Type.Object(
  {
    sku: Sku(),
    quantity: Quantity('Units shipped.', 1),
    line_id: Type.Optional(ExternalId('Order line shipped; without it lines match by SKU.')),
    order_external_id: Type.Optional(ExternalId('Order of this line, when one shipment covers several orders of the channel (openTRANS ORDER_REFERENCE per item).')),
    parcel_id: Type.Optional(ExternalId('Parcel the units are in.')),
  },
  { additionalProperties: false, description: 'Units of one SKU in a shipment.' },
);
export type ShipmentLine = Static<typeof ShipmentLine>;

export const Shipment = Type.Object(
  {
    shipment_id: ExternalId('Id of the shipment in the system that reports it (fulfillment id, despatch advice number).'),
    order: Type.Optional(withDescription(OrderRef, 'Order shipped; absent when lines name their orders.')),
    location_id: Type.Optional(ExternalId('Location the goods left from.')),
    status: StringEnum(SHIPMENT_STATUSES, { description: 'Where the shipment stands.' }),
    carrier: Type.Optional(Code('Carrier, e.g. "dhl", "ups".')),
    service: OptionalText('Carrier service, e.g. "express".'),
    tracking_number: OptionalText('Main tracking number; each parcel may have its own.'),
    tracking_url: OptionalText('Main tracking page; not format-checked.'),
    ship_to: Type.Optional(withDescription(Address, 'Where the shipment goes.')),
    parcels: Type.Optional(Type.Array(Parcel, { description: 'Packages of the shipment.' })),
    lines: Type.Array(withDescription(ShipmentLine, 'Units of one SKU.'), { minItems: 1, description: 'What was shipped.' }),
    created_at: Timestamp('When the shipment was created in the reporting system.'),
    shipped_at: Type.Optional(Timestamp('When the goods left the location.')),
    delivered_at: Type.Optional(Timestamp('When the carrier delivered.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'Goods sent for an order, with parcels and tracking.' },
);

export const ShipmentSchema = entity('shipment', 'Shipment', Shipment);
export type Shipment = Static<typeof ShipmentSchema>;
