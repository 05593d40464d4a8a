import { Type, type Static } from '@sinclair/typebox';
import { Address, Coordinates } from './address.js';
import { Money } from './money.js';
import { Code, ExternalId, Extensions, StringEnum, withDescription, entity } from './fields.js';

export const LOCATION_TYPES = ['warehouse', 'store', '3pl', 'drop_shipper', 'manufacturer'] as const;
export type LocationType = (typeof LOCATION_TYPES)[number];

/** Closed on purpose: routing rules name capabilities, and a typo must fail validation, not silently match nothing. */
export const LOCATION_CAPABILITIES = ['ship', 'pickup', 'returns', 'bulky', 'hazardous', 'cold_chain'] as const;
export type LocationCapability = (typeof LOCATION_CAPABILITIES)[number];

export const Location = Type.Object(
  {
    location_id: ExternalId('Id of the location; stock levels, reservations and routing refer to it.'),
    name: Type.String({ minLength: 1, description: 'Name shown to operators and, for stores, to buyers.' }),
    type: StringEnum(LOCATION_TYPES, { description: 'What kind of place it is.' }),
    address: Type.Optional(withDescription(Address, 'Postal address, for labels and pickup information.')),
    coordinates: Type.Optional(withDescription(Coordinates, 'Geo position for distance-based routing; when absent, address.coordinates is used.')),
    capabilities: Type.Optional(
      Type.Array(StringEnum(LOCATION_CAPABILITIES, { description: 'A capability.' }), {
        uniqueItems: true,
        description: 'What the location can do: ship parcels, hand out click-and-collect orders, take returns, handle bulky, hazardous or chilled goods.',
      }),
    ),
    priority: Type.Optional(Type.Integer({ minimum: 0, description: 'Routing preference, lowest first; ties go to other rules.' })),
    channels: Type.Optional(Type.Array(Code('A channel code.'), { uniqueItems: true, description: 'Channels whose available stock this location feeds.' })),
    safety_stock: Type.Optional(Type.Integer({ minimum: 0, description: 'Units per SKU kept back from channel availability.' })),
    handling_cost: Type.Optional(withDescription(Money, 'Cost of fulfilling one order here, for cost-based routing.')),
    active: Type.Optional(Type.Boolean({ description: 'Whether the location takes part in routing and availability; absent means true.' })),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'A place that holds stock or fulfils orders.' },
);

export const LocationSchema = entity('location', 'Location', Location);
export type Location = Static<typeof LocationSchema>;
